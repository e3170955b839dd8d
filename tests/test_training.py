"""Training method 1: the run folder, repeatability, and that it learns."""

from __future__ import annotations

import csv
import dataclasses
import io
import zipfile

import h5py
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
    assert names == ["checkpoint.previous.weights.h5", "checkpoint.weights.h5", "generator.keras", "history.csv",
                     "samples"]
    assert sorted(p.name for p in (tmp_path / "run" / "samples").iterdir()) == ["epoch_001.png", "epoch_002.png"]
    with open(tmp_path / "run" / "history.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["epoch"] for r in rows] == ["0", "1"] and {"loss", "val_loss"} <= set(rows[0])
    assert float(rows[1]["val_loss"]) == pytest.approx(run.history["val_loss"][1], rel=1e-5)


@pytest.fixture
def op_determinism():
    """TensorFlow's deterministic kernels for one test (the setting is process-wide)."""
    import tensorflow as tf
    from tensorflow.python.framework import config as tf_config  # the public API can only turn it on

    was_on = tf_config.is_op_determinism_enabled()
    tf.config.experimental.enable_op_determinism()
    yield
    if not was_on:
        tf_config.disable_op_determinism()


def test_same_seed_same_weights_on_cpu(toy, op_determinism):
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


def test_a_saved_generator_holds_the_network_without_its_optimizer(tmp_path):
    from sketchlab.models import load_generator, unet
    from sketchlab.optimizers import FusedAdam

    model = unet(image_size=32, filters=8, max_filters=32)
    model.compile(optimizer=FusedAdam(1e-3), loss="mean_absolute_error")
    photos = np.random.default_rng(0).uniform(-1, 1, (2, 32, 32, 3)).astype("float32")
    model.optimizer.build(model.trainable_variables)  # Adam's moments, as after training
    path = save_model(model, tmp_path / "generator.keras")
    with zipfile.ZipFile(path) as archive, h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r") as weights:
        assert "optimizer" not in weights and "layers" in weights
    loaded = load_generator(path)
    np.testing.assert_array_equal(loaded.predict(photos, verbose=0), model.predict(photos, verbose=0))
    assert model.optimizer is not None  # the model trained goes on as it was


def test_a_folder_that_is_not_a_run_is_refused_and_left_alone(toy, tmp_path):
    from sketchlab.data import DataError

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    (mine / "history.csv").write_text("my own table")
    with pytest.raises(DataError, match=r"mine: holds notes.txt, not a training run's files.*Choose a new --out"):
        train_generator("unet", toy, TINY, out=mine, epochs=1, verbose=0)
    assert sorted(p.name for p in mine.iterdir()) == ["history.csv", "notes.txt"]
    assert (mine / "history.csv").read_text() == "my own table"
    (tmp_path / "afile").write_text("mine")
    with pytest.raises(DataError, match=r"afile: is a file; --out must name a run folder"):
        train_generator("unet", toy, TINY, out=tmp_path / "afile", epochs=1, verbose=0)


def test_data_smaller_than_one_batch_is_refused_not_trained_for_no_steps(mirror, tmp_path):
    from sketchlab.data import DataError

    few = load_cufs(mirror)  # 2 train pairs; TINY trains in batches of 4
    with pytest.raises(DataError, match=r"2 train pairs, and at least 4 are needed to fill one training batch"):
        train_generator("unet", few, TINY, out=tmp_path / "run", epochs=1, verbose=0)
    assert not (tmp_path / "run" / "generator.keras").exists()


def test_history_reads_back_what_is_written_and_a_trim_keeps_the_columns_keras_appends_to(tmp_path):
    from sketchlab.history import trim_history
    from sketchlab.history import write_history
    from sketchlab.training import read_history

    path = tmp_path / "history.csv"
    write_history(path, {"d_loss": [0.5, 0.4, 0.3], "val_d_loss": ["NA", "NA", "NA"]})
    assert path.read_text().splitlines() == ["epoch,d_loss,val_d_loss", "0,0.5,NA", "1,0.4,NA", "2,0.3,NA"]
    assert read_history(path) == {"d_loss": [0.5, 0.4, 0.3]}  # a column of NA alone is no curve
    trim_history(path, 2)  # as a resume after epoch 2 does: CSVLogger then appends rows of every column
    assert path.read_text().splitlines() == ["epoch,d_loss,val_d_loss", "0,0.5,NA", "1,0.4,NA"]
    write_history(path, {})
    assert read_history(path) == {}
