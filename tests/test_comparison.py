"""Every method on the same faces: loading or training, the table, the lessons."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sketchlab import comparison, config
from sketchlab.data import load_cufs

TINY = dataclasses.replace(config.PROFILES["quick"], image_size=32, epochs=1, filters=8, max_filters=32)


def test_best_takes_the_right_end_of_each_column():
    results = {"a": {"fsim": 0.7, "l1": 0.2, "sharpness": 0.5}, "b": {"fsim": 0.6, "l1": 0.1, "sharpness": 1.3},
               "c": {"fsim": 0.65, "l1": 0.3, "sharpness": 0.9}}
    assert comparison.best(results) == {"fsim": "a", "l1": "b", "sharpness": "c"}


def test_the_table_bolds_one_best_value_per_column_and_adds_extra_columns():
    results = {"grey photo": {"fsim": 0.75, "ssim": 0.6}, "U-Net": {"fsim": 0.71, "ssim": 0.66}}
    markdown = comparison.table(results, extra={"training": {"U-Net": "44 s"}})
    assert markdown.splitlines()[0] == "| method | FSIM | SSIM | training |"
    assert "| grey photo | **0.750** | 0.600 |  |" in markdown and "| U-Net | 0.710 | **0.660** | 44 s |" in markdown
    html = comparison.table(results, html=True)
    assert html.count("<b>") == 2 and "<td>U-Net</td><td>0.710</td><td><b>0.660</b></td>" in html


def test_load_or_train_loads_a_saved_run_and_trains_a_missing_one(few_toy_dir, tmp_path):
    from sketchlab.training import build_generator, save_model

    data = load_cufs(few_toy_dir)
    runs = tmp_path / "runs"
    save_model(build_generator("unet", 32, TINY), runs / "unet" / "generator.keras")
    said = []
    loaded = comparison.load_or_train("unet", data, TINY, runs, log=said.append)
    assert loaded.seconds is None and loaded.generator.input_shape == (None, 32, 32, 3)
    assert said == ["U-Net: loaded runs/unet/generator.keras (notebook 03)"]
    trained = comparison.load_or_train("encoder-decoder", data, TINY, runs, verbose=0, log=said.append)
    assert "not found (notebook 03 not run): training it here in the quick profile" in said[1]
    assert trained.seconds > 0 and (runs / "encoder-decoder" / "generator.keras").is_file()
    assert set(comparison.l1_curves([loaded, trained])) == {"encoder-decoder"}  # the loaded run has no history
    with pytest.raises(ValueError, match="unknown method 'vae'"):
        comparison.train_method("vae", data, TINY)


def test_scores_and_gap_cover_every_method_and_the_baseline(few_toy_dir):
    from sketchlab.training import build_generator

    data = load_cufs(few_toy_dir)
    test = data.split("test")
    methods = [comparison.Method("unet", build_generator("unet", 32, TINY))]
    sketches = comparison.draw(methods, test)
    assert list(sketches) == ["grey photo", "U-Net"] and sketches["U-Net"].shape == (8, 250, 200, 1)
    results = comparison.score_all(sketches, test)
    gap = comparison.train_test_gap(methods, data, test_scores=results)
    assert gap["U-Net"]["test"] == {k: results["U-Net"][k] for k in comparison.GAP_METRICS}
    assert set(gap["U-Net"]["train"]) == set(comparison.GAP_METRICS)


def test_data_size_curve_refuses_more_pairs_than_there_are(few_toy_dir):
    with pytest.raises(ValueError, match="30 training pairs asked for; there are 24"):
        comparison.data_size_curve(load_cufs(few_toy_dir), TINY, sizes=(30,))


def test_data_size_curve_trains_on_fewer_pairs_for_more_epochs(few_toy_dir, tmp_path):
    data = load_cufs(few_toy_dir)
    sized = dataclasses.replace(TINY, epochs=2)
    curve = comparison.data_size_curve(data, sized, sizes=(6,), runs=tmp_path)
    assert list(curve) == [6]
    assert {"fsim", "ssim", "l1"} <= set(curve[6]) and 0 < curve[6]["l1"] < 1
    # a quarter of the 24 pairs trains for 4 times the epochs
    history = (tmp_path / "unet-6pairs" / "history.csv").read_text().splitlines()
    assert len(history) - 1 == round(2 * 24 / 6)


def test_score_all_tells_its_progress_per_row_only_when_asked(few_toy_dir, monkeypatch, capsys):
    from sketchlab import evaluation

    test = load_cufs(few_toy_dir).split("test")
    sketches = {"grey photo": evaluation.grey_photos(test), "artist": evaluation.ground_truth(test)}
    quiet = comparison.score_all(sketches, test)
    assert capsys.readouterr().out == ""
    monkeypatch.setattr(evaluation, "PROGRESS_PAIRS", 5)
    lines = []
    told = comparison.score_all(sketches, test, progress=lines.append)
    assert all(told[label] == pytest.approx(quiet[label]) for label in sketches)
    assert [line.split(",")[0] for line in lines] == ["scoring grey photo: 5/8 pairs", "scoring grey photo: 8/8 pairs",
                                                     "scoring artist: 5/8 pairs", "scoring artist: 8/8 pairs"]
