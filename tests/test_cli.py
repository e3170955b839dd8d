"""The command line: demo, data, train and evaluate commands, exit codes."""

from __future__ import annotations

import json

from fakes import run_cli

from sketchlab.data import load_cufs


def test_demo_trains_every_method_and_writes_the_html_report(few_toy_dir, tmp_path, monkeypatch, capsys):
    """The demo's whole path, in a profile shrunk to seconds (32x32, one or
    two epochs); CI runs the real quick-profile demo as its first step."""
    import dataclasses

    from sketchlab import cli, config

    tiny = dataclasses.replace(config.PROFILES["quick"], image_size=32, epochs=2, filters=8, max_filters=32,
                               pix2pix_epochs=1, cyclegan_epochs=1)
    monkeypatch.setitem(config.PROFILES, "quick", tiny)
    out = tmp_path / "report"
    assert cli.main(["demo", "--data", str(few_toy_dir), "--out", str(out), "--profile", "quick"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("sketchlab ") and "profile quick (32x32" in lines[0] and "TOY" in lines[0]
    stages = [line for line in lines if line.startswith("[") and ": done in " in line]
    assert [s.split("]")[0] for s in stages] == [f"[{k}/8" for k in range(1, 9)]
    assert str(out / "report.html") in lines[-1]
    assert sorted(p.name for p in out.iterdir()) == [
        "augmentation.png", "comparison.png", "losses.png", "new_photos.png", "pairs.png", "report.html",
        "sketch_to_photo.png"]
    page = (out / "report.html").read_text()
    assert "<td>train</td><td>24</td>" in page and "<td>test</td><td>8</td>" in page and "images/s" in page
    for label in ("grey photo", "encoder-decoder", "U-Net", "pix2pix", "CycleGAN"):
        assert f"<tr><td>{label}</td>" in page
    assert page.count("<b>") == 6  # one best value per metric column
    for name in ("pairs", "augmentation", "comparison", "losses", "new_photos", "sketch_to_photo"):
        assert f'src="{name}.png"' in page
    assert [p.name for p in tmp_path.iterdir()] == ["report"]  # no staging leftovers


def test_an_interrupted_demo_keeps_the_previous_report(few_toy_dir, tmp_path, monkeypatch):
    from sketchlab import cli, comparison

    out = tmp_path / "report"
    out.mkdir()
    (out / "report.html").write_text("the previous report")

    def fail(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(comparison, "train_method", fail)
    try:
        cli.main(["demo", "--data", str(few_toy_dir), "--out", str(out), "--profile", "quick"])
    except KeyboardInterrupt:
        pass
    assert (out / "report.html").read_text() == "the previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_toy_command_makes_a_database_and_refuses_to_overwrite(tmp_path):
    out = tmp_path / "toy"
    assert run_cli("data", "toy", "--out", str(out), "--seed", "3").returncode == 0
    inspect = run_cli("data", "inspect", str(out))
    assert inspect.returncode == 0 and "188 pairs: 88 train / 100 test" in inspect.stdout
    again = run_cli("data", "toy", "--out", str(out))
    assert again.returncode == 2 and str(out) in again.stderr


def test_bad_profile_is_named(toy_dir, tmp_path):
    result = run_cli("demo", "--data", str(toy_dir), "--out", str(tmp_path / "r"), env={"SKETCHLAB_PROFILE": "huge"})
    assert result.returncode == 2 and "SKETCHLAB_PROFILE" in result.stderr


def test_missing_data_folder_is_named(tmp_path):
    result = run_cli("demo", "--data", str(tmp_path / "nowhere"), "--out", str(tmp_path / "r"))
    assert result.returncode == 2 and "nowhere" in result.stderr


def test_train_then_evaluate_with_json_and_saved_sketches(few_toy_dir, tmp_path):
    run = tmp_path / "run"
    trained = run_cli("train", "unet", "--data", str(few_toy_dir), "--out", str(run), "--profile", "quick",
                      "--image-size", "32", "--epochs", "1", "--seed", "1")
    assert trained.returncode == 0, trained.stderr
    assert "training unet at 32x32" in trained.stdout and "grey photo (baseline)" in trained.stdout
    assert {"generator.keras", "history.csv", "samples"} <= {p.name for p in run.iterdir()}

    out = tmp_path / "sketches"
    result = run_cli("evaluate", str(run / "generator.keras"), "--data", str(few_toy_dir), "--json",
                     "--save-dir", str(out))
    assert result.returncode == 0, result.stderr
    scores = json.loads(result.stdout)
    assert scores["n"] == 8 and set(scores) == {"model", "baseline", "n"}
    assert set(scores["model"]) == set(scores["baseline"]) == {"fsim", "ssim", "psnr", "l1", "rank1", "sharpness"}
    test_photos = {p.photo.stem for p in load_cufs(few_toy_dir).split("test")}
    assert {p.stem for p in out.glob("*.png")} == test_photos and len(test_photos) == 8

    table = run_cli("evaluate", str(run / "generator.keras"), "--data", str(few_toy_dir))
    assert table.returncode == 0 and "generator.keras" in table.stdout and "FSIM" in table.stdout

    again = run_cli("evaluate", str(run / "generator.keras"), "--data", str(few_toy_dir), "--save-dir", str(out))
    assert again.returncode == 2 and "not empty" in again.stderr and "FSIM" not in again.stdout


def test_evaluate_names_a_missing_model_and_bad_sizes(toy_dir, tmp_path):
    missing = run_cli("evaluate", str(tmp_path / "nope.keras"), "--data", str(toy_dir))
    assert missing.returncode == 2 and "nope.keras" in missing.stderr and "sketchlab train" in missing.stderr
    bad = run_cli("train", "unet", "--data", str(toy_dir), "--out", str(tmp_path / "r"), "--image-size", "100")
    assert bad.returncode == 2 and "power of two" in bad.stderr
    assert not (tmp_path / "r").exists()


def test_train_pix2pix_and_dcgan_then_evaluate_the_pix2pix_generator(few_toy_dir, tmp_path):
    pix2pix = run_cli("train", "pix2pix", "--data", str(few_toy_dir), "--out", str(tmp_path / "p2p"), "--profile",
                      "quick", "--image-size", "32", "--epochs", "1", "--lambda-l1", "50")
    assert pix2pix.returncode == 0, pix2pix.stderr
    assert "training pix2pix at 32x32, batch 1" in pix2pix.stdout and "grey photo (baseline)" in pix2pix.stdout
    scored = run_cli("evaluate", str(tmp_path / "p2p" / "generator.keras"), "--data", str(few_toy_dir), "--json")
    assert scored.returncode == 0 and json.loads(scored.stdout)["n"] == 8

    dcgan = run_cli("train", "dcgan", "--data", str(few_toy_dir), "--out", str(tmp_path / "dcgan"), "--profile",
                    "quick", "--epochs", "1")
    assert dcgan.returncode == 0, dcgan.stderr
    assert "training dcgan at 64x64" in dcgan.stdout and "sample spread" in dcgan.stdout
    noise_model = run_cli("evaluate", str(tmp_path / "dcgan" / "generator.keras"), "--data", str(few_toy_dir))
    assert noise_model.returncode == 2 and "photo -> sketch generator" in noise_model.stderr


def test_gan_only_options_are_refused_for_other_models(toy_dir, tmp_path):
    result = run_cli("train", "unet", "--data", str(toy_dir), "--out", str(tmp_path / "r"), "--lambda-l1", "10")
    assert result.returncode == 2 and "--lambda-l1" in result.stderr
    result = run_cli("train", "dcgan", "--data", str(toy_dir), "--out", str(tmp_path / "r"), "--image-size", "128")
    assert result.returncode == 2 and "64x64" in result.stderr
    assert not (tmp_path / "r").exists()


def test_train_cyclegan_evaluate_both_directions_and_refuse_another_run_in_its_folder(few_toy_dir, tmp_path):
    run = tmp_path / "cycle"
    args = ("train", "cyclegan", "--data", str(few_toy_dir), "--out", str(run), "--profile", "quick", "--image-size", "32")
    trained = run_cli(*args, "--epochs", "1")
    assert trained.returncode == 0, trained.stderr
    assert "training cyclegan at 32x32, batch 1" in trained.stdout and "s2i.keras" in trained.stdout
    assert "grey photo (baseline)" in trained.stdout and "flat grey (baseline)" in trained.stdout
    assert {"generator.keras", "s2i.keras", "checkpoint.weights.h5", "samples", "samples_s2i"} <= {
        p.name for p in run.iterdir()}

    photos = run_cli("evaluate", str(run), "--direction", "s2i", "--data", str(few_toy_dir), "--json")
    assert photos.returncode == 0, photos.stderr
    scores = json.loads(photos.stdout)
    assert scores["direction"] == "s2i" and set(scores["model"]) == {"fsim", "ssim", "psnr", "l1"}
    wrong = run_cli("evaluate", str(run / "s2i.keras"), "--data", str(few_toy_dir))
    assert wrong.returncode == 2 and "other direction" in wrong.stderr

    other = run_cli(*args, "--epochs", "1", "--seed", "5")  # the run folder holds another run
    assert other.returncode == 2 and "seed=0 there, 5 now" in other.stderr and "another --out" in other.stderr
