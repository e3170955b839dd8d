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
import keras
import numpy as np
import pytest

from sketchlab.checkpoints import CHECKPOINT, PREVIOUS, CheckpointError, restore, save_checkpoint
from sketchlab.history import trim_history
from sketchlab.config import PROFILES
from sketchlab.data import load_cufs
from sketchlab.files import partial_path
from sketchlab.training import train_generator, train_pix2pix

WORKER = Path(__file__).with_name("resume_worker.py")
TINY = dataclasses.replace(PROFILES["quick"], image_size=32, filters=8, max_filters=32)


@pytest.fixture(scope="module")
def toy(toy_dir):
    return load_cufs(toy_dir)


def _epochs_done(folder: Path, name: str = CHECKPOINT) -> int:
    try:
        with h5py.File(folder / name, "r") as f:
            return int(f["sketchlab_checkpoint"].attrs["epochs_done"])
    except (OSError, KeyError):  # not there yet, or being renamed into place
        return 0


def _history_epochs(folder: Path) -> list[str]:
    with open(folder / "history.csv", newline="") as f:
        return [row["epoch"] for row in csv.DictReader(f)]


def _worker(toy_dir, folder, epochs, *pause_file):
    return [sys.executable, str(WORKER), str(toy_dir), str(folder), str(epochs), *map(str, pause_file)]


def test_a_killed_cyclegan_run_resumes_and_ends_as_an_uninterrupted_one(few_toy_dir, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    killed, paused, log = tmp_path / "killed", tmp_path / "paused", tmp_path / "worker.log"
    with log.open("w") as out:
        process = subprocess.Popen(_worker(few_toy_dir, killed, 3, paused), stdout=out, stderr=out, env=env)
    try:
        deadline = time.monotonic() + 600
        while not paused.exists():  # two epochs finished, and a step of the third
            assert process.poll() is None, log.read_text()[-2000:]
            assert time.monotonic() < deadline, "the worker took too long"
            time.sleep(0.05)
    finally:
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


class StopAfter(keras.callbacks.Callback):
    """Stop a run right after epoch ``cut``'s checkpoint, as a kill then would."""

    def __init__(self, cut: int):
        super().__init__()
        self.cut = cut

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.cut:
            raise KeyboardInterrupt("stopped for the test")


def test_pix2pix_resumes_with_its_dropout_and_optimizer_state(toy, tmp_path):
    whole = train_pix2pix(toy, TINY, out=tmp_path / "whole", epochs=3, seed=1, verbose=0)
    with pytest.raises(KeyboardInterrupt):
        train_pix2pix(toy, TINY, out=tmp_path / "cut", epochs=3, seed=1, verbose=0, callbacks=[StopAfter(2)])
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
    with pytest.raises(CheckpointError, match=f"cannot be read.*Delete .*{CHECKPOINT} and .*{PREVIOUS}"):
        train_generator("unet", toy, TINY, out=tmp_path / "bad", epochs=1, verbose=0)


def test_a_checkpoint_of_other_data_or_jitter_is_refused_naming_them(toy, few_toy_dir, tmp_path):
    train_generator("encoder-decoder", load_cufs(few_toy_dir), TINY, out=tmp_path / "run", epochs=1, verbose=0)
    with pytest.raises(CheckpointError, match=r"data='toy faces, 24 train pairs, #\w+' there, "
                                              r"'toy faces, 88 train pairs, #\w+' now"):
        train_generator("encoder-decoder", toy, TINY, out=tmp_path / "run", epochs=1, verbose=0)
    other_jitter = dataclasses.replace(TINY, jitter_scale=1.25)
    with pytest.raises(CheckpointError, match=r"\(jitter_scale=1.1171875 there, 1.25 now\)"):
        train_generator("encoder-decoder", load_cufs(few_toy_dir), other_jitter, out=tmp_path / "run", epochs=1,
                        verbose=0)


def test_the_resume_message_names_the_checkpoint_as_the_run_folder_was_given(toy, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        train_generator("encoder-decoder", toy, TINY, out="runs/ed", epochs=2, verbose=0, callbacks=[StopAfter(1)])
    train_generator("encoder-decoder", toy, TINY, out="runs/ed", epochs=2, verbose=2)
    assert f"resuming after epoch 1 of 2 from runs/ed/{CHECKPOINT}\n" in capsys.readouterr().out


def test_a_torn_checkpoint_costs_one_epoch_not_the_run(toy, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    whole = train_generator("encoder-decoder", toy, TINY, out="whole", epochs=3, verbose=0)
    with pytest.raises(KeyboardInterrupt):
        train_generator("encoder-decoder", toy, TINY, out="cut", epochs=3, verbose=0, callbacks=[StopAfter(2)])
    assert (_epochs_done(Path("cut")), _epochs_done(Path("cut"), PREVIOUS)) == (2, 1)
    torn = Path("cut", CHECKPOINT)
    with torn.open("r+b") as f:  # a power cut took the end of the latest checkpoint
        f.truncate(torn.stat().st_size // 2)
    capsys.readouterr()
    resumed = train_generator("encoder-decoder", toy, TINY, out="cut", epochs=3, verbose=2)
    out = capsys.readouterr().out
    assert f"cut/{CHECKPOINT} cannot be read (" in out
    assert f"going on from cut/{PREVIOUS}, one epoch earlier\n" in out
    assert f"resuming after epoch 1 of 3 from cut/{PREVIOUS}\n" in out
    assert _history_epochs(Path("cut")) == ["0", "1", "2"] and _epochs_done(Path("cut")) == 3
    for a, b in zip(resumed.model.weights, whole.model.weights):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)

    for name in (CHECKPOINT, PREVIOUS):  # neither readable: refused
        Path("cut", name).write_bytes(b"torn")
    with pytest.raises(CheckpointError, match=f"cut/{CHECKPOINT} and cut/{PREVIOUS}: cannot be read"):
        train_generator("encoder-decoder", toy, TINY, out="cut", epochs=3, verbose=0)


def _pid_gone() -> int:
    """The pid of a process that has ended and been reaped."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_restore_removes_the_temporaries_of_killed_writers_only(toy, tmp_path):
    train_generator("encoder-decoder", toy, TINY, out=tmp_path, epochs=1, verbose=0)
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead_tmp, live_tmp = (partial_path(tmp_path / CHECKPOINT, pid) for pid in (_pid_gone(), live.pid))
        for tmp in (dead_tmp, live_tmp):
            tmp.write_bytes(b"half a checkpoint")
        train_generator("encoder-decoder", toy, TINY, out=tmp_path, epochs=1, verbose=0)  # restores, nothing to train
        assert not dead_tmp.exists() and live_tmp.exists()
    finally:
        live.kill()
        live.wait()


@pytest.mark.parametrize("change", ["one more", "one fewer", "other shape"])
def test_random_states_that_do_not_fit_are_refused_naming_the_file(tmp_path, change):
    from sketchlab.models import unet

    model = unet(32, filters=8, max_filters=32)
    model.compile(optimizer="adam", loss="mae")
    path = save_checkpoint(model, tmp_path, 1, {"epochs": 2})
    with h5py.File(path, "a") as f:
        group = f["sketchlab_checkpoint"]
        count = sum(name.startswith("random_state_") for name in group)
        if change == "one more":
            group.create_dataset(f"random_state_{count}", data=np.zeros(2, np.uint32))
        else:
            del group[f"random_state_{count - 1}"]
            if change == "other shape":
                group.create_dataset(f"random_state_{count - 1}", data=np.zeros(3, np.uint32))
    with pytest.raises(CheckpointError, match=f"{CHECKPOINT} holds random-generator states .*Delete"):
        restore(model, tmp_path, {"epochs": 2})


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


def test_a_new_checkpoint_keeps_the_one_before(tmp_path):
    from sketchlab.models import unet

    model = unet(32, filters=8, max_filters=32)
    model.compile(optimizer="adam", loss="mae")
    for epochs_done in (1, 2, 3):
        save_checkpoint(model, tmp_path, epochs_done, {"epochs": 3})
    assert (_epochs_done(tmp_path), _epochs_done(tmp_path, PREVIOUS)) == (3, 2)
    assert sorted(p.name for p in tmp_path.iterdir()) == [PREVIOUS, CHECKPOINT]


def test_trim_history_keeps_the_epochs_before_the_checkpoint(tmp_path):
    path = tmp_path / "history.csv"
    path.write_text("epoch,loss\n0,0.5\n1,0.4\n2,0.3\n")
    trim_history(path, 2)
    assert path.read_text().splitlines() == ["epoch,loss", "0,0.5", "1,0.4"]
    trim_history(tmp_path / "missing.csv", 1)  # nothing to trim


def test_weights_that_do_not_fit_are_refused_naming_the_file(tmp_path):
    from sketchlab.models import unet

    saved = unet(32, filters=8, max_filters=32)
    saved.compile(optimizer="adam", loss="mae")
    save_checkpoint(saved, tmp_path, 1, {"epochs": 2})
    wider = unet(32, filters=16, max_filters=32)  # the same settings given, other weight shapes
    wider.compile(optimizer="adam", loss="mae")
    with pytest.raises(CheckpointError, match=f"(?s){CHECKPOINT} does not fit this model: .*Delete .*{PREVIOUS}") as err:
        restore(wider, tmp_path, {"epochs": 2})
    assert len(str(err.value)) < 1000  # Keras' own text, which can list whole arrays, is cut short
