"""sketchlab.gans and the GAN networks: shapes, the updates of train_step,
trackers, saving, the learning-rate schedule, CycleGAN's losses, pool and
mixed precision, and the training runs."""

from __future__ import annotations

import csv
import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from sketchlab import gans, metrics, models
from sketchlab.config import PROFILES
from sketchlab.data import load_cufs
from sketchlab.optimizers import LossScaleOptimizer
from sketchlab.training import dcgan_spread, sample_batch, train_cyclegan, train_dcgan, train_pix2pix

TINY = dataclasses.replace(PROFILES["quick"], image_size=32, filters=8, max_filters=32, cyclegan_blocks=1)


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


def _tiny_pix2pix(lambda_l1: float = 100.0, lambda_ssim: float = 0.0) -> gans.Pix2Pix:
    model = gans.Pix2Pix(models.unet(32, filters=8, max_filters=32), models.patchgan(32, filters=8, max_filters=32),
                         lambda_l1=lambda_l1, lambda_ssim=lambda_ssim)
    model.compile()
    return model


def _pairs(n: int = 4, seed: int = 0):
    rng = np.random.default_rng(seed)
    photos = rng.uniform(-1, 1, (n, 32, 32, 3)).astype("float32")
    return photos, np.tanh(photos.mean(axis=-1, keepdims=True) * 3)


def test_pix2pix_step_updates_both_networks_and_reports_every_term():
    keras.utils.set_random_seed(0)
    model = _tiny_pix2pix(lambda_ssim=7)
    photos, sketches = _pairs()
    model.train_step((tf.constant(photos), tf.constant(sketches)))  # builds the optimizers
    g_before, d_before = _weights(model.generator), _weights(model.discriminator)
    logs = {k: float(v) for k, v in model.train_step((tf.constant(photos), tf.constant(sketches))).items()}
    assert _changed(g_before, model.generator) and _changed(d_before, model.discriminator)
    assert set(logs) == {"d_loss", "d_real_acc", "d_fake_acc", "g_loss", "g_gan", "g_l1", "g_ssim"}
    assert 0 <= logs["d_real_acc"] <= 1 and 0 <= logs["d_fake_acc"] <= 1 and 0 < logs["g_ssim"] <= 2
    # the trackers are running means over the two steps, and means are linear
    assert logs["g_loss"] == pytest.approx(logs["g_gan"] + 100 * logs["g_l1"] + 7 * logs["g_ssim"], rel=1e-5)
    assert model.g_optimizer is not model.d_optimizer


def test_pix2pix_test_step_reports_the_held_out_l1_and_changes_nothing():
    model = _tiny_pix2pix()
    photos, sketches = _pairs(seed=1)
    before = _weights(model.generator) + _weights(model.discriminator)
    logs = model.test_step((tf.constant(photos), tf.constant(sketches)))
    fake = model.generator(photos, training=False).numpy()
    assert float(logs["g_l1"]) == pytest.approx(np.abs(sketches - fake).mean(), rel=1e-5)
    assert float(logs["g_ssim"]) == pytest.approx(1 - metrics.ssim(fake * 0.5 + 0.5, sketches * 0.5 + 0.5).mean(),
                                                  rel=1e-4)
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


def test_ssim_loss_is_zero_for_identical_images_and_the_course_metric_otherwise():
    _, sketches = _pairs(n=3)
    sketches = np.repeat(np.repeat(sketches, 2, axis=1), 2, axis=2)  # 64x64: room for the 11x11 window
    assert float(gans.ssim_loss(sketches, sketches)) == pytest.approx(0.0, abs=1e-6)
    other = np.clip(sketches + np.random.default_rng(0).normal(0, 0.3, sketches.shape), -1, 1).astype("float32")
    expected = 1 - metrics.ssim(other * 0.5 + 0.5, sketches * 0.5 + 0.5).mean()
    assert float(gans.ssim_loss(other, sketches)) == pytest.approx(expected, rel=1e-5) and expected > 0.1


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
    model = _tiny_pix2pix(lambda_l1=42, lambda_ssim=3)
    model.compile(d_optimizer=gans.adam(gans.LinearDecay(1e-3, 100)), g_optimizer=keras.optimizers.SGD(0.1))
    photos, _ = _pairs()
    model(photos)
    model.save(tmp_path / "pix2pix.keras")
    loaded = keras.models.load_model(tmp_path / "pix2pix.keras")
    assert isinstance(loaded, gans.Pix2Pix) and loaded.lambda_l1 == 42 and loaded.lambda_ssim == 3
    assert isinstance(loaded.g_optimizer, keras.optimizers.SGD) and float(loaded.d_optimizer.learning_rate) == pytest.approx(1e-3)
    np.testing.assert_allclose(loaded.generator(photos), model.generator(photos), atol=1e-6)
    np.testing.assert_allclose(loaded.discriminator([photos, photos[..., :1]]),
                               model.discriminator([photos, photos[..., :1]]), atol=1e-6)


def test_pix2pix_run_saves_a_generator_that_sketches_in_a_fresh_process(toy, tmp_path):
    run = train_pix2pix(toy, TINY, out=tmp_path / "run", epochs=2, decay=True, verbose=0)
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == [
        "checkpoint.previous.weights.h5", "checkpoint.weights.h5", "generator.keras", "history.csv", "samples"]
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


# ---------------------------------------------------------------- CycleGAN


def _tiny_cyclegan(pool_size: int = 4, seed: int = 0, optimizers=None) -> gans.CycleGAN:
    keras.utils.set_random_seed(seed)
    model = gans.CycleGAN(
        models.resnet_generator(32, 4, n_blocks=1, in_channels=3, out_channels=1),
        models.resnet_generator(32, 4, n_blocks=1, in_channels=1, out_channels=3),
        models.patchgan(32, 4, 16, in_channels=0, out_channels=1, norm="instance"),
        models.patchgan(32, 4, 16, in_channels=0, out_channels=3, norm="instance"),
        pool_size=pool_size, seed=seed)
    model.compile(*(optimizers or ()))
    return model


def _unpaired(batch: int = 2, seed: int = 0):
    rng = np.random.default_rng(seed)
    return (rng.uniform(-1, 1, (batch, 32, 32, 3)).astype("float32"),
            rng.uniform(-1, 1, (batch, 32, 32, 1)).astype("float32"))


def test_resnet_generator_shapes_and_blocks():
    i2s = models.resnet_generator(64, filters=8)
    s2i = models.resnet_generator(64, filters=8, in_channels=1, out_channels=3)
    assert i2s.output_shape == (None, 64, 64, 1) and s2i.output_shape == (None, 64, 64, 3)

    def blocks(net):
        return sum(layer.name.endswith("_add") for layer in net.layers)

    # the paper's 9 at 256 and 6 at 128; 3 below 128
    assert [blocks(models.resnet_generator(n, 4)) for n in (256, 128)] == [9, 6] and blocks(i2s) == 3
    norms = [layer for layer in i2s.layers if isinstance(layer, keras.layers.GroupNormalization)]
    # instance norm: one group per channel (groups=-1 becomes the channel count once built), no affine terms
    assert norms and all(n.groups in (-1, n.input.shape[-1]) and not n.center and not n.scale for n in norms)
    assert all(isinstance(n, models.InstanceNormalization) for n in norms)  # the fused kernel


def test_reflection_padding_mirrors_the_border():
    x = np.arange(9, dtype="float32").reshape(1, 3, 3, 1)
    y = np.asarray(models.ReflectionPadding2D(1)(x))[0, :, :, 0]
    assert y.shape == (5, 5) and y[0, 0] == x[0, 1, 1, 0] and y[2, 0] == x[0, 1, 1, 0] and y[2, 1] == x[0, 1, 0, 0]


def test_unconditional_instance_norm_patchgan_sees_one_image():
    disc = models.patchgan(64, filters=8, in_channels=0, out_channels=3, norm="instance")
    assert disc.input_shape == (None, 64, 64, 3) and disc.output_shape == (None, 6, 6, 1)
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in disc.layers)
    with pytest.raises(ValueError, match="norm='layer'"):
        models.patchgan(64, norm="layer")


def test_photo_to_sketch_to_photo_cycle_trains_the_photo_to_sketch_generator():
    model = _tiny_cyclegan()
    photo, _ = _unpaired()
    with tf.GradientTape() as tape:
        loss = gans.l1(model.s2i(model.i2s(photo, training=True), training=True), photo)
    grads = tape.gradient(loss, model.i2s.trainable_weights)
    assert all(g is not None for g in grads) and float(tf.linalg.global_norm(grads)) > 0


def test_cyclegan_step_updates_all_four_networks_and_reports_every_term():
    model = _tiny_cyclegan()
    before = {name: _weights(getattr(model, name)) for name in model.NETWORKS}
    logs = model.train_on_batch(*_unpaired(), return_dict=True)
    assert set(logs) == {"d_sketch", "d_photo", "g_i2s", "g_s2i", "cycle_photo", "cycle_sketch", "identity_sketch",
                         "identity_photo", "g_loss"}
    assert all(np.isfinite(v) for v in logs.values())
    expected = (logs["g_i2s"] + logs["g_s2i"] + 10 * (logs["cycle_photo"] + logs["cycle_sketch"])
                + 5 * (logs["identity_sketch"] + logs["identity_photo"]))
    assert logs["g_loss"] == pytest.approx(expected, rel=1e-5)
    assert all(_changed(before[name], getattr(model, name)) for name in model.NETWORKS)
    # one optimizer for the generators and one for the discriminators, each stepped once
    assert int(model.g_optimizer.iterations) == 1 and int(model.d_optimizer.iterations) == 1
    assert model.g_optimizer is not model.d_optimizer


def test_cyclegan_test_step_reports_cycle_and_paired_l1_and_changes_nothing():
    model = _tiny_cyclegan()
    photo, sketch = _unpaired()
    before = {name: _weights(getattr(model, name)) for name in model.NETWORKS}
    logs = model.evaluate(photo, sketch, batch_size=2, verbose=0, return_dict=True)
    assert set(logs) == {"cycle_photo", "cycle_sketch", "l1_i2s", "l1_s2i"}
    fake = model.i2s(photo, training=False)
    assert logs["l1_i2s"] == pytest.approx(float(np.mean(np.abs(fake - sketch))), rel=1e-5)
    assert not any(_changed(before[name], getattr(model, name)) for name in model.NETWORKS)


def test_image_pool_fills_then_returns_old_images_about_half_the_time():
    pool = gans.ImagePool(4, (2, 2, 1), seed=3)
    first = [float(pool(np.full((1, 2, 2, 1), v, "float32"))[0, 0, 0, 0]) for v in range(4)]
    assert first == [0, 1, 2, 3] and int(pool.count) == 4  # filling: each image comes straight back
    later = [float(pool(np.full((1, 2, 2, 1), v, "float32"))[0, 0, 0, 0]) for v in range(10, 210)]
    old = sum(v != new for v, new in zip(later, range(10, 210)))
    assert 70 < old < 130  # an older image about half of the time
    stored = set(np.asarray(pool.images)[:, 0, 0, 0].tolist())
    assert stored <= set(map(float, range(0, 210)))


def test_image_pool_draws_follow_its_state():
    a, b = gans.ImagePool(2, (1, 1, 1), seed=1), gans.ImagePool(2, (1, 1, 1), seed=1)
    images = [np.full((2, 1, 1, 1), v, "float32") for v in range(20)]
    out_a = [np.asarray(a(x)).ravel().tolist() for x in images]
    out_b = [np.asarray(b(x)).ravel().tolist() for x in images]
    assert out_a == out_b and int(a.draws) == 40


def test_to_channels_repeats_grey_and_takes_the_luma_of_rgb():
    grey = tf.constant([[[[0.5]]]])
    assert gans.to_channels(grey, 3).shape == (1, 1, 1, 3)
    rgb = tf.constant([[[[1.0, 0.0, 0.0]]]])
    assert float(gans.to_channels(rgb, 1)[0, 0, 0, 0]) == pytest.approx(0.299)


def test_cyclegan_with_loss_scaling_optimizers_steps_in_mixed_precision():
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_float16")
    try:
        model = _tiny_cyclegan(optimizers=[LossScaleOptimizer(gans.adam()) for _ in range(2)])
    finally:
        keras.config.set_dtype_policy(previous)
    assert model.i2s.compute_dtype == "float16" and model.i2s.trainable_weights[0].dtype == "float32"
    before = {name: _weights(getattr(model, name)) for name in model.NETWORKS}
    for _ in range(8):  # a step whose scaled gradients overflow is skipped, and the scale halved
        logs = model.train_on_batch(*_unpaired(), return_dict=True)
        if all(_changed(before[name], getattr(model, name)) for name in model.NETWORKS):
            break
    assert all(np.isfinite(v) for v in logs.values())
    assert all(_changed(before[name], getattr(model, name)) for name in model.NETWORKS)


def test_whole_cyclegan_saves_and_loads_with_its_pools(tmp_path):
    model = _tiny_cyclegan(pool_size=3)
    model.train_on_batch(*_unpaired())
    model.save(tmp_path / "cyclegan.keras")
    loaded = keras.models.load_model(tmp_path / "cyclegan.keras")
    assert isinstance(loaded, gans.CycleGAN) and loaded.pool_size == 3 and int(loaded.sketch_pool.count) == 2
    np.testing.assert_array_equal(loaded.photo_pool.images, model.photo_pool.images)
    photo, sketch = _unpaired()
    np.testing.assert_allclose(loaded.s2i(sketch), model.s2i(sketch), atol=1e-6)
    assert int(loaded.g_optimizer.iterations) == 1  # optimizer state came back too


def test_cyclegan_run_writes_both_directions_and_learns(toy, tmp_path):
    run = train_cyclegan(toy, TINY, out=tmp_path / "run", epochs=2, verbose=0)
    names = sorted(p.name for p in (tmp_path / "run").iterdir())
    assert names == ["checkpoint.previous.weights.h5", "checkpoint.weights.h5", "generator.keras", "history.csv",
                     "s2i.keras", "samples", "samples_s2i"]
    assert len(list((tmp_path / "run" / "samples_s2i").glob("epoch_*.png"))) == 2
    assert len(run.history["val_l1_i2s"]) == 2 and run.history["val_l1_i2s"][-1] < run.history["val_l1_i2s"][0]
    assert models.load_generator(tmp_path / "run" / "s2i.keras", direction="s2i").output_shape == (None, 32, 32, 3)
    assert float(run.model.g_optimizer.learning_rate) == pytest.approx(0, abs=1e-9)  # decayed to 0


def test_to_channels_refuses_what_it_cannot_convert():
    with pytest.raises(ValueError, match="cannot turn 4-channel images into 1-channel ones"):
        gans.to_channels(tf.zeros((1, 2, 2, 4)), 1)


def _notebook_class(notebook: str, name: str) -> type:
    """The class ``name`` as a code cell of ``notebook`` defines it (the course's subclassing examples)."""
    cells = json.loads((Path(__file__).parents[1] / "notebooks" / notebook).read_text())["cells"]
    sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    (source,) = [s for s in sources if f"class {name}(" in s]
    namespace = {"gans": gans, "keras": keras, "tf": tf}
    exec(source, namespace)
    return namespace[name]


def _pix2pix_from(cls, reference: gans.Pix2Pix | None = None) -> gans.Pix2Pix:
    """A small ``cls`` (Pix2Pix or a subclass), with ``reference``'s weights if given, compiled with plain SGD."""
    model = cls(models.unet(32, filters=8, max_filters=32, dropout=0.0), models.patchgan(32, filters=8, max_filters=32))
    if reference is not None:
        model.set_weights(reference.get_weights())
    model.compile(g_optimizer=keras.optimizers.SGD(0.1), d_optimizer=keras.optimizers.SGD(0.1))
    return model


def test_notebook_04s_subclass_changes_only_the_real_label_of_pix2pix():
    my_pix2pix = _notebook_class("04_gan_basics.ipynb", "MyPix2Pix")
    keras.utils.set_random_seed(0)
    photo = tf.constant(np.random.default_rng(0).uniform(-1, 1, (2, 32, 32, 3)).astype("float32"))
    sketch = photo[..., :1]
    plain = _pix2pix_from(gans.Pix2Pix)
    same, smoothed = _pix2pix_from(my_pix2pix, plain), _pix2pix_from(my_pix2pix, plain)
    same.real_label = 1.0  # with a real label of 1 the notebook's step is Pix2Pix's own
    logs = {name: {k: float(v) for k, v in model.train_step((photo, sketch)).items()}  # eager: no tracing
            for name, model in (("plain", plain), ("same", same), ("smoothed", smoothed))}
    assert logs["same"] == {k: pytest.approx(v, rel=1e-5) for k, v in logs["plain"].items()}
    for a, b in zip(same.get_weights(), plain.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    # with 0.9 its discriminator learns something else (the real pairs' gradient sigma(logit) - 0.9)
    assert not np.allclose(smoothed.discriminator.get_weights()[0], plain.discriminator.get_weights()[0])


def test_notebook_05s_subclass_cuts_the_cycle_gradient_into_the_first_generator():
    my_cyclegan = _notebook_class("05_cyclegan.ipynb", "MyCycleGAN")
    plain = _tiny_cyclegan(optimizers=[keras.optimizers.SGD(0.1) for _ in range(2)])
    variant = my_cyclegan(**{name: keras.models.clone_model(getattr(plain, name)) for name in plain.NETWORKS},
                          pool_size=plain.pool_size)
    variant.set_weights(plain.get_weights())
    variant.compile(g_optimizer=keras.optimizers.SGD(0.1), d_optimizer=keras.optimizers.SGD(0.1))
    logs = [{k: float(v) for k, v in model.train_step(_unpaired()).items()} for model in (plain, variant)]
    # the same losses (computed before the update), different updates of both generators
    assert logs[1] == {k: pytest.approx(v, rel=1e-5) for k, v in logs[0].items()}
    for name in ("i2s", "s2i"):
        assert not all(np.allclose(a, b) for a, b in zip(getattr(plain, name).get_weights(),
                                                         getattr(variant, name).get_weights()))
