"""sketchlab.checkpoints: a killed run resumes where it stopped, exactly."""

from __future__ import annotations

import csv
import dataclasses
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

from sketchlab.checkpoints import CHECKPOINT, CheckpointError, save_checkpoint, trim_history
from sketchlab.config import PROFILES
from sketchlab.data import load_cufs
from sketchlab.training import train_generator, train_pix2pix

WORKER = Path(__file__).with_name("resume_worker.py")
TINY = dataclasses.replace(PROFILES["quick"], image_size=32, filters=8, max_filters=32)


@pytest.fixture(scope="module")
def toy(toy_dir):
    return load_cufs(toy_dir)


def _epochs_done(folder: Path) -> int:
    try:
        with h5py.File(folder / CHECKPOINT, "r") as f:
            return int(f["sketchlab_checkpoint"].attrs["epochs_done"])
    except (OSError, KeyError):  # not there yet, or being renamed into place
        return 0


def _history_epochs(folder: Path) -> list[str]:
    with open(folder / "history.csv", newline="") as f:
        return [row["epoch"] for row in csv.DictReader(f)]


def _worker(toy_dir, folder, epochs):
    return [sys.executable, str(WORKER), str(toy_dir), str(folder), str(epochs)]


def test_a_killed_cyclegan_run_resumes_and_ends_as_an_uninterrupted_one(few_toy_dir, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    killed = tmp_path / "killed"
    process = subprocess.Popen(_worker(few_toy_dir, killed, 3), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 600
    while _epochs_done(killed) < 2:  # two epochs finished and checkpointed ...
        assert process.poll() is None, process.communicate()[1].decode()[-2000:]
        assert time.monotonic() < deadline, "the worker took too long"
        time.sleep(0.05)
    time.sleep(0.2)  # ... and the third under way
    assert process.poll() is None, "the run ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL and _epochs_done(killed) == 2
    assert not (killed / "generator.keras").exists()

    again = subprocess.run(_worker(few_toy_dir, killed, 3), capture_output=True, text=True, env=env, timeout=600)
    assert again.returncode == 0 and "done 3" in again.stdout, again.stderr[-2000:]
    whole = tmp_path / "whole"
    once = subprocess.run(_worker(few_toy_dir, whole, 3), capture_output=True, text=True, env=env, timeout=600)
    assert once.returncode == 0, once.stderr[-2000:]

    assert _history_epochs(killed) == ["0", "1", "2"] == _history_epochs(whole)
    assert _epochs_done(killed) == 3
    resumed, uninterrupted = np.load(killed / "weights.npz"), np.load(whole / "weights.npz")
    assert sorted(resumed.files) == sorted(uninterrupted.files)
    for name in resumed.files:
        np.testing.assert_allclose(resumed[name], uninterrupted[name], rtol=1e-5, atol=1e-6, err_msg=name)
    with open(killed / "history.csv") as a, open(whole / "history.csv") as b:
        rows_a, rows_b = list(csv.DictReader(a)), list(csv.DictReader(b))
    for row_a, row_b in zip(rows_a, rows_b):
        assert {k: pytest.approx(float(v), rel=1e-4) for k, v in row_a.items()} == \
            {k: float(v) for k, v in row_b.items()}


def _stop_after(monkeypatch, cut: int) -> None:
    """Make the next run stop right after epoch ``cut``'s checkpoint, as a kill then would."""
    from sketchlab import checkpoints

    save = checkpoints.Checkpoint.on_epoch_end

    def on_epoch_end(self, epoch, logs=None):
        save(self, epoch, logs)
        if epoch + 1 == cut:
            raise KeyboardInterrupt("stopped for the test")

    monkeypatch.setattr(checkpoints.Checkpoint, "on_epoch_end", on_epoch_end)


def test_pix2pix_resumes_with_its_dropout_and_optimizer_state(toy, tmp_path, monkeypatch):
    whole = train_pix2pix(toy, TINY, out=tmp_path / "whole", epochs=3, seed=1, verbose=0)
    with monkeypatch.context() as patch:
        _stop_after(patch, 2)
        with pytest.raises(KeyboardInterrupt):
            train_pix2pix(toy, TINY, out=tmp_path / "cut", epochs=3, seed=1, verbose=0)
    assert _epochs_done(tmp_path / "cut") == 2
    resumed = train_pix2pix(toy, TINY, out=tmp_path / "cut", epochs=3, seed=1, verbose=0)
    for a, b in zip(resumed.model.generator.weights, whole.model.generator.weights):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)
    assert _history_epochs(tmp_path / "cut") == ["0", "1", "2"]
    assert resumed.history["val_g_l1"] == pytest.approx(whole.history["val_g_l1"], rel=1e-5)
    assert int(resumed.model.g_optimizer.iterations) == int(whole.model.g_optimizer.iterations)


def test_a_finished_run_run_again_keeps_its_results(toy, tmp_path):
    first = train_generator("unet", toy, TINY, out=tmp_path / "run", epochs=2, verbose=0)
    again = train_generator("unet", toy, TINY, out=tmp_path / "run", epochs=2, verbose=0)
    assert set(again.history) == set(first.history) == {"loss", "val_loss"}
    assert all(again.history[k] == pytest.approx(first.history[k]) for k in first.history)
    assert _history_epochs(tmp_path / "run") == ["0", "1"]
    for a, b in zip(again.model.weights, first.model.weights):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_a_checkpoint_of_other_settings_is_refused_naming_them(toy, tmp_path):
    train_generator("unet", toy, TINY, out=tmp_path / "run", epochs=1, verbose=0)
    with pytest.raises(CheckpointError, match=r"epochs=1 there, 2 now.*another --out"):
        train_generator("unet", toy, TINY, out=tmp_path / "run", epochs=2, verbose=0)
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / CHECKPOINT).write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="cannot be read.*Delete it"):
        train_generator("unet", toy, TINY, out=tmp_path / "bad", epochs=1, verbose=0)


def test_a_checkpoint_write_that_fails_midway_leaves_the_previous_one(tmp_path):
    from sketchlab.models import unet

    model = unet(32, filters=8, max_filters=32)
    model.compile(optimizer="adam", loss="mae")
    save_checkpoint(model, tmp_path, 1, {"epochs": 2})
    before = (tmp_path / CHECKPOINT).read_bytes()

    def broken(path, *args, **kwargs):
        Path(path).write_bytes(b"half a file")
        raise OSError("disk full")

    model.save_weights = broken
    with pytest.raises(OSError, match="disk full"):
        save_checkpoint(model, tmp_path, 2, {"epochs": 2})
    assert (tmp_path / CHECKPOINT).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [CHECKPOINT]


def test_trim_history_keeps_the_epochs_before_the_checkpoint(tmp_path):
    path = tmp_path / "history.csv"
    path.write_text("epoch,loss\n0,0.5\n1,0.4\n2,0.3\n")
    trim_history(path, 2)
    assert path.read_text().splitlines() == ["epoch,loss", "0,0.5", "1,0.4"]
    trim_history(tmp_path / "missing.csv", 1)  # nothing to trim
