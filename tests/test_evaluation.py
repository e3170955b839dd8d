"""The evaluation protocol: 200x250 grey sketches, the baseline, saved files."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from sketchlab.data import DataError, load_cufs
from sketchlab.evaluation import evaluate, format_scores, generate, grey_photos, ground_truth, save_sketches, score
from sketchlab.models import unet


@pytest.fixture(scope="module")
def test_pairs(toy_dir):
    return load_cufs(toy_dir).split("test")[:10]


@pytest.fixture(scope="module")
def model():
    return unet(image_size=32, filters=8, max_filters=32)


def test_generated_sketches_are_in_the_cufs_frame_and_8_bit(model, test_pairs):
    out = generate(model, test_pairs)
    assert out.shape == (10, 250, 200, 1) and out.min() >= 0 and out.max() <= 1
    np.testing.assert_allclose(out * 255, np.round(out * 255), atol=1e-9)


def test_ground_truth_and_baseline_are_grey_frames(test_pairs):
    real, base = ground_truth(test_pairs), grey_photos(test_pairs)
    assert real.shape == base.shape == (10, 250, 200, 1)
    assert not np.allclose(real, base)


def test_evaluate_reports_model_and_baseline(model, test_pairs):
    result = evaluate(model, test_pairs)
    assert result["n"] == 10 and set(result) == {"model", "baseline", "n"}
    for scores in (result["model"], result["baseline"]):
        assert set(scores) == {"fsim", "ssim", "psnr", "l1", "rank1", "sharpness", "paper_noise"}
    assert result["baseline"] == score(grey_photos(test_pairs), ground_truth(test_pairs))
    table = format_scores(result, name="unet")
    assert "unet" in table and "grey photo (baseline)" in table and "10 test pairs" in table


def test_a_perfect_model_scores_perfectly(test_pairs):
    real = ground_truth(test_pairs)
    perfect = score(real, real)
    assert perfect["fsim"] == pytest.approx(1) and perfect["ssim"] == pytest.approx(1)
    assert perfect["l1"] == 0 and perfect["rank1"] == 1 and perfect["sharpness"] == pytest.approx(1)
    assert perfect["paper_noise"] == pytest.approx(1)


def test_a_fine_grid_that_fsim_misses_shows_as_paper_noise(test_pairs):
    real = ground_truth(test_pairs)
    yy, xx = np.indices(real.shape[1:3])
    grid = np.where((yy + xx) % 2, 0.02, -0.02)[None, ..., None]  # a 2-pixel checkerboard, as 8-bit output
    gridded = score(np.round(np.clip(real + grid, 0, 1) * 255) / 255, real, names=("fsim", "paper_noise"))
    assert gridded["fsim"] > 0.999 and gridded["paper_noise"] > 3


def test_saved_sketches_are_named_by_person_and_reload_exactly(model, test_pairs, tmp_path):
    out = generate(model, test_pairs)
    folder = save_sketches(out, test_pairs, tmp_path / "sketches")
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{p.person_id}.png" for p in test_pairs)
    with Image.open(folder / f"{test_pairs[0].person_id}.png") as im:
        assert im.mode == "L" and im.size == (200, 250)
        np.testing.assert_array_equal(np.asarray(im), np.round(out[0, ..., 0] * 255).astype(np.uint8))
    with pytest.raises(DataError, match="not empty"):
        save_sketches(out, test_pairs, folder)


def test_evaluate_tells_its_progress_only_when_asked(model, test_pairs, monkeypatch, capsys):
    from sketchlab import evaluation

    monkeypatch.setattr(evaluation, "PROGRESS_PAIRS", 4)
    monkeypatch.setattr(evaluation, "_BASELINES", {})
    quiet = evaluate(model, test_pairs)
    assert capsys.readouterr().out == ""
    monkeypatch.setattr(evaluation, "_BASELINES", {})
    lines = []
    told = evaluate(model, test_pairs, progress=lines.append)
    assert [line.split(",")[0] for line in lines] == [
        "drawing sketches: 10/10 photos",
        "scoring the sketches: 4/10 pairs", "scoring the sketches: 8/10 pairs", "scoring the sketches: 10/10 pairs",
        "scoring the grey photos (baseline): 4/10 pairs", "scoring the grey photos (baseline): 8/10 pairs",
        "scoring the grey photos (baseline): 10/10 pairs"]
    assert lines[1].endswith(" s left") and "left" not in lines[3]
    # scored a chunk at a time, the same scores
    assert told["model"] == pytest.approx(quiet["model"]) and told["baseline"] == pytest.approx(quiet["baseline"])


def test_evaluate_photos_tells_its_progress_only_when_asked(test_pairs, monkeypatch, capsys):
    from sketchlab import evaluation

    monkeypatch.setattr(evaluation, "PROGRESS_PAIRS", 6)
    s2i = unet(image_size=32, filters=8, max_filters=32, in_channels=1, out_channels=3)
    monkeypatch.setattr(evaluation, "_BASELINES", {})
    quiet = evaluation.evaluate_photos(s2i, test_pairs)
    assert capsys.readouterr().out == ""
    monkeypatch.setattr(evaluation, "_BASELINES", {})
    lines = []
    told = evaluation.evaluate_photos(s2i, test_pairs, progress=lines.append)
    assert [line.split(",")[0] for line in lines] == [
        "drawing photos: 10/10 sketches", "scoring the photos: 6/10 pairs", "scoring the photos: 10/10 pairs",
        "scoring flat grey (baseline): 6/10 pairs", "scoring flat grey (baseline): 10/10 pairs"]
    assert told["model"] == pytest.approx(quiet["model"]) and told["baseline"] == pytest.approx(quiet["baseline"])
    lines.clear()  # the same pairs again: the baseline is scored once
    again = evaluation.evaluate_photos(s2i, test_pairs, progress=lines.append)
    assert not any("flat grey" in line for line in lines) and again["baseline"] == told["baseline"]


def test_one_generate_draws_sketches_from_photos_and_photos_from_sketches(test_pairs):
    from sketchlab import evaluation

    s2i = unet(image_size=32, filters=8, max_filters=32, in_channels=1, out_channels=3)
    lines = []
    photos = generate(s2i, test_pairs[:3], direction="s2i", progress=lines.append)
    assert photos.shape == (3, 250, 200, 3) and lines[0].startswith("drawing photos: 3/3 sketches")
    np.testing.assert_array_equal(photos, evaluation.generate_photos(s2i, test_pairs[:3]))
    with pytest.raises(ValueError, match="direction must be 'i2s' or 's2i', got 'sideways'"):
        generate(s2i, test_pairs[:3], direction="sideways")


def test_one_table_formatter_for_the_terminal_notebooks_and_pages():
    from sketchlab.evaluation import format_table

    rows = [["unet", "0.712", "15.70"], ["grey photo (baseline)", "0.750", "11.00"]]
    assert format_table(["", "FSIM", "PSNR"], rows).splitlines() == [
        "                         FSIM   PSNR",
        "unet                    0.712  15.70",
        "grey photo (baseline)   0.750  11.00"]
    assert format_table(["n", "L1"], [["22", "0.120"]], style="markdown") == "| n | L1 |\n|---|---|\n| 22 | 0.120 |"
    assert format_table(["n"], [["22"]], style="html") == "<table>\n<tr><th>n</th></tr>\n<tr><td>22</td></tr>\n</table>"
    with pytest.raises(ValueError, match="unknown table style 'latex'"):
        format_table(["n"], [["22"]], style="latex")
