"""sketchlab.gans and the GAN networks: shapes, the updates of train_step,
trackers, saving, the learning-rate schedule, and the training runs."""

from __future__ import annotations

import csv
import dataclasses
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from sketchlab import gans, models
from sketchlab.config import PROFILES
from sketchlab.data import load_cufs
from sketchlab.training import dcgan_spread, sample_batch, train_dcgan, train_pix2pix

TINY = dataclasses.replace(PROFILES["quick"], image_size=32, filters=8, max_filters=32)


@pytest.fixture(scope="module")
def toy(toy_dir):
    return load_cufs(toy_dir)


def _weights(model: keras.Model) -> list[np.ndarray]:
    return [np.array(w) for w in model.trainable_weights]


def _changed(before: list[np.ndarray], model: keras.Model) -> bool:
    return any(not np.array_equal(a, b) for a, b in zip(before, _weights(model)))


@pytest.mark.parametrize("n_layers, patch, grid", [(3, 70, 14), (2, 34, 30)])
def test_patchgan_logits_see_patches_of_the_stated_size(n_layers, patch, grid):
    disc = models.patchgan(image_size=128, filters=8, max_filters=32, n_layers=n_layers)
    assert disc.output_shape == (None, grid, grid, 1) and models.patch_size(n_layers) == patch
    photo = tf.Variable(tf.random.normal((1, 128, 128, 3)))
    sketch = tf.random.normal((1, 128, 128, 1))
    with tf.GradientTape() as tape:
        logit = disc([photo, sketch], training=False)[0, grid // 2, grid // 2, 0]
    seen = np.abs(tape.gradient(logit, photo).numpy()[0]).sum(axis=-1) > 0
    rows, cols = np.nonzero(seen.any(axis=1))[0], np.nonzero(seen.any(axis=0))[0]
    assert rows.max() - rows.min() + 1 == patch and cols.max() - cols.min() + 1 == patch


def test_dcgan_pair_shapes():
    gen, disc = models.dcgan_generator(latent_dim=12, filters=8), models.dcgan_discriminator(filters=8)
    assert gen.output_shape == (None, 64, 64, 1) and disc.output_shape == (None, 1)
    assert disc(gen(tf.zeros((3, 12)))).shape == (3, 1)


def _tiny_pix2pix(lambda_l1: float = 100.0) -> gans.Pix2Pix:
    model = gans.Pix2Pix(models.unet(32, filters=8, max_filters=32), models.patchgan(32, filters=8, max_filters=32),
                         lambda_l1=lambda_l1)
    model.compile()
    return model


def _pairs(n: int = 4, seed: int = 0):
    rng = np.random.default_rng(seed)
    photos = rng.uniform(-1, 1, (n, 32, 32, 3)).astype("float32")
    return photos, np.tanh(photos.mean(axis=-1, keepdims=True) * 3)


def test_pix2pix_step_updates_both_networks_and_reports_every_term():
    keras.utils.set_random_seed(0)
    model = _tiny_pix2pix()
    photos, sketches = _pairs()
    model.train_step((tf.constant(photos), tf.constant(sketches)))  # builds the optimizers
    g_before, d_before = _weights(model.generator), _weights(model.discriminator)
    logs = {k: float(v) for k, v in model.train_step((tf.constant(photos), tf.constant(sketches))).items()}
    assert _changed(g_before, model.generator) and _changed(d_before, model.discriminator)
    assert set(logs) == {"d_loss", "d_real_acc", "d_fake_acc", "g_loss", "g_gan", "g_l1"}
    assert 0 <= logs["d_real_acc"] <= 1 and 0 <= logs["d_fake_acc"] <= 1
    # the trackers are running means over the two steps, and means are linear
    assert logs["g_loss"] == pytest.approx(logs["g_gan"] + 100 * logs["g_l1"], rel=1e-5)
    assert model.g_optimizer is not model.d_optimizer


def test_pix2pix_test_step_reports_the_held_out_l1_and_changes_nothing():
    model = _tiny_pix2pix()
    photos, sketches = _pairs(seed=1)
    before = _weights(model.generator) + _weights(model.discriminator)
    logs = model.test_step((tf.constant(photos), tf.constant(sketches)))
    expected = np.abs(sketches - model.generator(photos, training=False).numpy()).mean()
    assert float(logs["g_l1"]) == pytest.approx(expected, rel=1e-5)
    after = _weights(model.generator) + _weights(model.discriminator)
    assert all(np.array_equal(a, b) for a, b in zip(before, after))


def test_pix2pix_discriminator_step_does_not_move_the_generator():
    # with lambda_l1 = 0 and a generator learning rate of 0, only D may change
    model = gans.Pix2Pix(models.unet(32, filters=8, max_filters=32), models.patchgan(32, filters=8, max_filters=32),
                         lambda_l1=0)
    model.compile(g_optimizer=keras.optimizers.SGD(0.0))
    photos, sketches = _pairs()
    g_before, d_before = _weights(model.generator), _weights(model.discriminator)
    model.train_step((tf.constant(photos), tf.constant(sketches)))
    assert not _changed(g_before, model.generator) and _changed(d_before, model.discriminator)


def test_gan_step_updates_both_networks_with_one_optimizer_each():
    keras.utils.set_random_seed(0)
    gan = gans.GAN(models.dcgan_generator(8, filters=4), models.dcgan_discriminator(filters=4), seed=1)
    gan.compile()
    real = tf.random.uniform((4, 64, 64, 1), -1, 1)
    gan.train_step(real)
    g_before, d_before = _weights(gan.generator), _weights(gan.discriminator)
    logs = gan.train_step(real)
    assert _changed(g_before, gan.generator) and _changed(d_before, gan.discriminator)
    assert set(logs) == {"d_loss", "g_loss", "d_real_acc", "d_fake_acc", "g_grad_norm"}
    assert float(logs["g_grad_norm"]) > 0
    assert gan.d_optimizer.iterations == 2 and gan.g_optimizer.iterations == 2
    assert set(gan.test_step(real)) == {"d_loss", "g_loss", "d_real_acc", "d_fake_acc"}


def test_gan_noise_comes_from_its_seed():
    a = gans.GAN(models.dcgan_generator(8, filters=4), models.dcgan_discriminator(filters=4), seed=5)
    b = gans.GAN(models.dcgan_generator(8, filters=4), models.dcgan_discriminator(filters=4), seed=5)
    np.testing.assert_array_equal(a.noise(3), b.noise(3))
    assert not np.array_equal(a.noise(3), a.noise(3))  # the seed generator moves on


def test_linear_decay_is_constant_then_falls_to_zero():
    schedule = gans.LinearDecay(2e-4, total_steps=100)
    rates = [float(schedule(s)) for s in (0, 49, 50, 75, 100, 150)]
    assert rates == pytest.approx([2e-4, 2e-4, 2e-4, 1e-4, 0, 0])
    again = gans.LinearDecay.from_config(schedule.get_config())
    assert float(again(75)) == pytest.approx(1e-4)


def test_whole_pix2pix_saves_and_loads_with_its_settings(tmp_path):
    model = _tiny_pix2pix(lambda_l1=42)
    model.compile(d_optimizer=gans.adam(gans.LinearDecay(1e-3, 100)), g_optimizer=keras.optimizers.SGD(0.1))
    photos, _ = _pairs()
    model(photos)
    model.save(tmp_path / "pix2pix.keras")
    loaded = keras.models.load_model(tmp_path / "pix2pix.keras")
    assert isinstance(loaded, gans.Pix2Pix) and loaded.lambda_l1 == 42
    assert isinstance(loaded.g_optimizer, keras.optimizers.SGD) and float(loaded.d_optimizer.learning_rate) == pytest.approx(1e-3)
    np.testing.assert_allclose(loaded.generator(photos), model.generator(photos), atol=1e-6)
    np.testing.assert_allclose(loaded.discriminator([photos, photos[..., :1]]),
                               model.discriminator([photos, photos[..., :1]]), atol=1e-6)


def test_pix2pix_run_saves_a_generator_that_sketches_in_a_fresh_process(toy, tmp_path):
    run = train_pix2pix(toy, TINY, out=tmp_path / "run", epochs=2, verbose=0)
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["generator.keras", "history.csv", "samples"]
    with open(tmp_path / "run" / "history.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2 and {"g_l1", "val_g_l1", "d_loss", "d_real_acc", "d_fake_acc"} <= set(rows[0])
    # the schedule has decayed the rate to 0 by the last step
    assert float(run.model.g_optimizer.learning_rate) == pytest.approx(0, abs=1e-9)
    photos, _, _ = sample_batch(toy, 32)
    np.save(tmp_path / "photos.npy", photos)
    expected = run.model.generator(photos, training=False).numpy()
    np.save(tmp_path / "expected.npy", expected)
    script = (
        "import numpy as np, sys; from sketchlab.models import load_generator; d = sys.argv[1]; "
        "g = load_generator(d + '/run/generator.keras'); "
        "out = g(np.load(d + '/photos.npy'), training=False).numpy(); "
        "np.testing.assert_allclose(out, np.load(d + '/expected.npy'), atol=1e-5); print('ok', out.shape)"
    )
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "ok (6, 32, 32, 1)" in done.stdout, done.stderr


def test_pix2pix_learns_the_toy_sketches(toy):
    run = train_pix2pix(toy, TINY, epochs=6, verbose=0)
    l1 = run.history["val_g_l1"]
    assert l1[-1] < 0.8 * l1[0], run.history


def test_dcgan_run_draws_a_grid_per_epoch_and_spread_is_measured(toy, tmp_path):
    run = train_dcgan(toy, TINY, out=tmp_path / "run", epochs=2, verbose=0)
    assert sorted(p.name for p in (tmp_path / "run" / "samples").iterdir()) == ["epoch_001.png", "epoch_002.png"]
    assert run.model.generator.output_shape == (None, 64, 64, 1)
    assert set(run.history) == {"d_loss", "g_loss", "d_real_acc", "d_fake_acc", "g_grad_norm"}
    spread = dcgan_spread(run.model, toy, count=16)
    assert spread["real"] > 0.05 and spread["ratio"] == pytest.approx(spread["samples"] / spread["real"])


def test_pix2pix_refuses_a_generator_of_another_size(toy):
    with pytest.raises(ValueError, match="64x64 photos, not 32x32"):
        train_pix2pix(toy, TINY, generator=models.unet(64, filters=8, max_filters=32), epochs=1, verbose=0)
