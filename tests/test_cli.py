"""The command line: demo, data, train and evaluate commands, exit codes."""

from __future__ import annotations

import errno
import json
import subprocess
import sys

import pytest
from fakes import run_cli

from sketchlab.checkpoints import run_settings
from sketchlab.data import load_cufs


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
    assert "profile quick (32x32, batch 4, 1 epochs)" in trained.stdout  # the sizes that run, not the profile's
    assert "training unet at 32x32" in trained.stdout and "grey photo (baseline)" in trained.stdout
    assert {"generator.keras", "history.csv", "samples"} <= {p.name for p in run.iterdir()}

    out = tmp_path / "sketches"
    result = run_cli("evaluate", str(run / "generator.keras"), "--data", str(few_toy_dir), "--json",
                     "--save-dir", str(out))
    assert result.returncode == 0, result.stderr
    scores = json.loads(result.stdout)
    assert scores["n"] == 8 and set(scores) == {"model", "baseline", "n"}
    assert set(scores["model"]) == set(scores["baseline"]) == {"fsim", "ssim", "psnr", "l1", "rank1", "sharpness",
                                                              "paper_noise"}
    test_photos = {p.photo.stem for p in load_cufs(few_toy_dir).split("test")}
    assert {p.stem for p in out.glob("*.png")} == test_photos and len(test_photos) == 8

    table = run_cli("evaluate", str(run), "--data", str(few_toy_dir))
    assert table.returncode == 0 and "FSIM" in table.stdout
    assert f"{run} " in table.stdout.splitlines()[-3]  # the row is named by the run folder, whole

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
                      "quick", "--image-size", "32", "--epochs", "1", "--lambda-l1", "50", "--lambda-ssim", "20", "--augment",
                      "--upsampling", "resize", "--decay")
    assert pix2pix.returncode == 0, pix2pix.stderr
    assert run_settings(tmp_path / "p2p")["decay"] is True and run_settings(tmp_path / "p2p")["lambda_ssim"] == 20
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
    result = run_cli("train", "cyclegan", "--data", str(toy_dir), "--out", str(tmp_path / "r"), "--lambda-ssim", "10")
    assert result.returncode == 2 and "--lambda-ssim is the weight of pix2pix's SSIM term" in result.stderr
    result = run_cli("train", "unet", "--data", str(toy_dir), "--out", str(tmp_path / "r"), "--no-decay")
    assert result.returncode == 2 and "--decay is pix2pix's learning-rate schedule" in result.stderr
    result = run_cli("train", "dcgan", "--data", str(toy_dir), "--out", str(tmp_path / "r"), "--image-size", "128")
    assert result.returncode == 2 and "64x64" in result.stderr
    for option in (["--augment"], ["--upsampling", "resize"]):
        result = run_cli("train", "cyclegan", "--data", str(toy_dir), "--out", str(tmp_path / "r"), *option)
        assert result.returncode == 2 and f"{option[0]} is an option of the paired generators" in result.stderr
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


@pytest.mark.parametrize("args, option, expected", [
    (["train", "unet", "--epochs", "two"], "--epochs", "expected a positive whole number, got 'two'"),
    (["train", "unet", "--epochs", "0"], "--epochs", "expected a positive whole number, got 0"),
    (["train", "unet", "--image-size", "4"], "--image-size", "image size must be a power of two of at least 32"),
    (["train", "unet", "--image-size", "big"], "--image-size", "expected a power of two such as 64, got 'big'"),
    (["train", "unet", "--seed", "-1"], "--seed", "expected a whole number from 0 to 4294967295, got -1"),
    (["data", "toy", "--seed", "-1"], "--seed", "expected a whole number from 0 to 4294967295, got -1"),
])
def test_bad_numbers_are_refused_naming_the_option(args, option, expected, tmp_path, capsys):
    from sketchlab import cli

    with pytest.raises(SystemExit) as exit_:
        cli.main([*args, "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and f"argument {option}: {expected}" in err and "_positive" not in err
    assert not (tmp_path / "out").exists()


def test_paths_are_checked_before_tensorflow_loads(tmp_path):
    """A typo fails in a moment: sketch and evaluate check the model and the
    photos before Keras and TensorFlow are imported."""
    (tmp_path / "model.keras").write_bytes(b"not read: the photo is missing")
    (tmp_path / "run").mkdir()
    code = ("import sys; from sketchlab import cli; "
            f"status = [cli.main(['sketch', {str(tmp_path / 'model.keras')!r}, 'nope.jpg', '--out', 'o']), "
            f"cli.main(['sketch', {str(tmp_path / 'run')!r}, 'nope.jpg', '--direction', 's2i', '--out', 'o']), "
            f"cli.main(['evaluate', {str(tmp_path / 'nowhere')!r}])]; "
            "print(status, 'tensorflow' in sys.modules, 'keras' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.stdout.split() == ["[2,", "2,", "2]", "False", "False"], result.stderr
    err = result.stderr.splitlines()
    assert "nope.jpg: no such file" in err[0]
    assert "no s2i.keras here. Only CycleGAN draws photos from sketches" in err[1] and "train unet" not in err[1]
    assert "nowhere: no such model file or run folder" in err[2]


def test_save_dir_naming_a_file_is_refused_before_any_work(tmp_path, capsys):
    from sketchlab import cli

    (tmp_path / "taken.txt").write_text("mine")
    assert cli.main(["evaluate", str(tmp_path / "missing.keras"), "--save-dir", str(tmp_path / "taken.txt")]) == 2
    assert "taken.txt: is a file; --save-dir must name a folder" in capsys.readouterr().err
    assert (tmp_path / "taken.txt").read_text() == "mine"


@pytest.mark.parametrize("code, reason, advice", [
    (errno.ENOSPC, "No space left on device", "Free some disk space"),
    (errno.EACCES, "Permission denied", "Choose an --out folder you may write to"),
])
def test_a_failed_write_is_a_message_not_a_traceback(code, reason, advice, tmp_path, monkeypatch, capsys):
    from sketchlab import cli, toy

    def full(out, seed=0):
        raise OSError(code, reason, str(out / "photos" / "f-005-01.jpg"))

    monkeypatch.setattr(toy, "make_toy_data", full)
    assert cli.main(["data", "toy", "--out", str(tmp_path / "toy")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {tmp_path / 'toy' / 'photos' / 'f-005-01.jpg'}: cannot write ({reason})")
    assert advice in err


def test_other_os_errors_are_not_disguised(tmp_path, monkeypatch):
    from sketchlab import cli, toy

    def broken(out, seed=0):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(toy, "make_toy_data", broken)
    with pytest.raises(OSError, match="Input/output error"):
        cli.main(["data", "toy", "--out", str(tmp_path / "toy")])


def test_download_help_agrees_with_the_docs_on_kaggle_accounts(capsys):
    from sketchlab import cli

    with pytest.raises(SystemExit):
        cli.main(["data", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "no account needed" not in text and "Kaggle may ask you to sign in" in text


@pytest.mark.parametrize("args, expected", [
    ([], "python -m sketchlab: error: the following arguments are required: {demo,data,train,evaluate,faces,sketch,app}"),
    (["frobnicate"], "python -m sketchlab: error: argument {demo,data,train,evaluate,faces,sketch,app}: invalid choice: "
                     "'frobnicate'"),
    (["data"], "python -m sketchlab data: error: the following arguments are required: {toy,download,inspect}"),
    (["faces"], "python -m sketchlab faces: error: the following arguments are required: {align}"),
    (["data", "inspect"], "python -m sketchlab data inspect: error: the following arguments are required: folder"),
    (["data", "toy"], "python -m sketchlab data toy: error: the following arguments are required: --out"),
    (["train", "resnet", "--out", "r"], "python -m sketchlab train: error: argument model: invalid choice: 'resnet'"),
    (["train", "unet"], "python -m sketchlab train: error: the following arguments are required: --out"),
    (["train", "unet", "--profile", "huge", "--out", "r"],
     "python -m sketchlab train: error: argument --profile: invalid choice: 'huge'"),
    (["train", "pix2pix", "--lambda-l1", "ten", "--out", "r"],
     "python -m sketchlab train: error: argument --lambda-l1: expected a number such as 100, got 'ten'"),
    (["train", "pix2pix", "--lambda-l1", "-3", "--out", "r"],
     "python -m sketchlab train: error: argument --lambda-l1: expected a weight of 0 or more, got -3"),
    (["train", "pix2pix", "--lambda-l1", "nan", "--out", "r"],
     "python -m sketchlab train: error: argument --lambda-l1: expected a weight of 0 or more, got nan"),
    (["train", "pix2pix", "--lambda-ssim", "inf", "--out", "r"],
     "python -m sketchlab train: error: argument --lambda-ssim: expected a weight of 0 or more, got inf"),
    (["demo", "--profile", "huge"], "python -m sketchlab demo: error: argument --profile: invalid choice: 'huge'"),
    (["evaluate", "m.keras", "--direction", "back"],
     "python -m sketchlab evaluate: error: argument --direction: invalid choice: 'back'"),
    (["faces", "align", "a.jpg"], "python -m sketchlab faces align: error: the following arguments are required: --out"),
    (["sketch"], "python -m sketchlab sketch: error: the following arguments are required: [MODEL] IMAGE, --out"),
    (["sketch", "m.keras", "a.jpg", "--out", "o", "--direction", "back"],
     "python -m sketchlab sketch: error: argument --direction: invalid choice: 'back'"),
])
def test_bad_choices_and_missing_arguments_are_refused_by_name(args, expected, tmp_path, monkeypatch, capsys):
    from sketchlab import cli

    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_:
        cli.main(args)
    assert exit_.value.code == 2 and expected in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_run_folder_without_its_generator_is_refused(tmp_path, capsys):
    from sketchlab import cli

    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "checkpoint.weights.h5").write_bytes(b"an interrupted run")
    assert cli.main(["evaluate", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {tmp_path / 'run'}: no generator.keras here, so this is not a finished training run")
    assert "run the same train command again" in err


def test_save_dir_is_refused_for_sketch_to_photo_before_any_work(tmp_path, capsys):
    from sketchlab import cli

    assert cli.main(["evaluate", str(tmp_path / "missing"), "--direction", "s2i",
                     "--save-dir", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == "error: --save-dir writes sketches; drop it for --direction s2i\n"
    assert list(tmp_path.iterdir()) == []


def test_a_file_where_a_folder_is_needed_is_a_message(tmp_path, capsys):
    from sketchlab import cli

    (tmp_path / "afile").write_text("mine")
    assert cli.main(["data", "toy", "--out", str(tmp_path / "afile" / "toy")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {tmp_path / 'afile'}: cannot be made") and "a file stands where" in err
    assert (tmp_path / "afile").read_text() == "mine"


def test_training_needs_a_batch_and_scoring_two_test_pairs(mirror, capsys):
    from sketchlab import cli

    # the fake mirror holds 2 train and 4 test pairs; the quick profile's batch is 4
    assert cli.main(["train", "unet", "--data", str(mirror), "--out", str(mirror.parent / "run")]) == 2
    err = capsys.readouterr().err
    assert "2 train pairs, and at least 4 are needed to fill one training batch" in err
    assert not (mirror.parent / "run").exists()
