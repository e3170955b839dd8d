"""Training method 1: the run folder, repeatability, and that it learns."""

from __future__ import annotations

import csv
import dataclasses

import numpy as np
import pytest

from sketchlab.config import PROFILES
from sketchlab.data import load_cufs
from sketchlab.training import save_model, train_generator

# small enough for a CPU test: 32x32 images, a narrow network
TINY = dataclasses.replace(PROFILES["quick"], image_size=32, filters=8, max_filters=32)


@pytest.fixture(scope="module")
def toy(toy_dir):
    return load_cufs(toy_dir)


def test_run_folder_holds_model_history_and_one_sample_grid_per_epoch(toy, tmp_path):
    run = train_generator("unet", toy, TINY, out=tmp_path / "run", epochs=2, verbose=0)
    names = sorted(p.name for p in (tmp_path / "run").iterdir())
    assert names == ["checkpoint.weights.h5", "generator.keras", "history.csv", "samples"]
    assert sorted(p.name for p in (tmp_path / "run" / "samples").iterdir()) == ["epoch_001.png", "epoch_002.png"]
    with open(tmp_path / "run" / "history.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["epoch"] for r in rows] == ["0", "1"] and {"loss", "val_loss"} <= set(rows[0])
    assert float(rows[1]["val_loss"]) == pytest.approx(run.history["val_loss"][1], rel=1e-5)


def test_same_seed_same_weights_on_cpu(toy):
    a = train_generator("encoder-decoder", toy, TINY, epochs=1, seed=3, verbose=0)
    b = train_generator("encoder-decoder", toy, TINY, epochs=1, seed=3, verbose=0)
    c = train_generator("encoder-decoder", toy, TINY, epochs=1, seed=4, verbose=0)
    for wa, wb in zip(a.model.get_weights(), b.model.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    assert not np.array_equal(a.model.get_weights()[0], c.model.get_weights()[0])


def test_l1_training_learns_the_toy_sketches(toy):
    run = train_generator("unet", toy, TINY, epochs=6, learning_rate=1e-3, verbose=0)
    loss, val = run.history["loss"], run.history["val_loss"]
    assert loss[-1] < 0.6 * loss[0] and val[-1] < 0.6 * val[0], run.history


def test_unknown_model_is_named(toy):
    with pytest.raises(ValueError, match="'resnet'.*encoder-decoder, unet"):
        train_generator("resnet", toy, TINY, epochs=1, verbose=0)


def test_interrupted_save_leaves_the_old_model(tmp_path, monkeypatch):
    from sketchlab.models import unet

    model = unet(image_size=32, filters=8, max_filters=32)
    path = save_model(model, tmp_path / "generator.keras")
    before = path.read_bytes()

    def crash(self, filepath, *args, **kwargs):
        open(filepath, "wb").write(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(type(model), "save", crash)
    with pytest.raises(KeyboardInterrupt):
        save_model(model, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["generator.keras"]
