"""The networks: shapes, the paper's sizes, saving and loading."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from sketchlab.models import (InstanceNormalization, ModelFileError, encoder_decoder, filter_counts, load_generator,
                              mirror_averaged, unet, upsample)


def test_filter_counts_follow_the_paper():
    assert filter_counts(256) == [64, 128, 256, 512, 512, 512, 512, 512]
    assert filter_counts(64, filters=32, max_filters=256) == [32, 64, 128, 256, 256, 256]
    for bad in (3, 100, 0):
        with pytest.raises(ValueError, match="power of two"):
            filter_counts(bad)


@pytest.mark.parametrize("build", [encoder_decoder, unet])
def test_photo_in_grey_sketch_out_in_tanh_range(build):
    model = build(image_size=32, filters=8, max_filters=32)
    assert model.input_shape == (None, 32, 32, 3) and model.output_shape == (None, 32, 32, 1)
    out = np.asarray(model(np.random.default_rng(0).uniform(-1, 1, (2, 32, 32, 3)).astype("float32")))
    assert out.shape == (2, 32, 32, 1) and np.all(np.abs(out) <= 1)


def test_encoder_decoder_squeezes_through_a_1x1_bottleneck_and_unet_skips_it():
    plain, skips = encoder_decoder(image_size=64, filters=8), unet(image_size=64, filters=8)
    assert plain.get_layer("enc6_act").output.shape == (None, 1, 1, 256)
    assert not any(isinstance(layer, keras.layers.Concatenate) for layer in plain.layers)
    concats = [layer for layer in skips.layers if isinstance(layer, keras.layers.Concatenate)]
    assert [c.output.shape[1] for c in concats] == [2, 4, 8, 16, 32]


def test_unet_256_has_the_papers_decoder_widths():
    model = unet(image_size=256)
    widths = [model.get_layer(f"skip{i}").output.shape[-1] for i in range(7, 0, -1)]
    assert widths == [1024, 1024, 1024, 1024, 512, 256, 128]  # CD512-CD1024-CD1024-C1024-C1024-C512-C256-C128
    assert model.output_shape == (None, 256, 256, 1)


@pytest.mark.parametrize("build", [encoder_decoder, unet])
def test_resize_upsampling_builds_the_same_shapes_without_transposed_convolutions(build):
    model = build(image_size=32, filters=8, max_filters=32, upsampling="resize")
    assert model.output_shape == (None, 32, 32, 1)
    assert not any(isinstance(layer, keras.layers.Conv2DTranspose) for layer in model.layers)
    plain = build(image_size=32, filters=8, max_filters=32)
    assert [layer.output.shape for layer in plain.layers if layer.name.endswith("_act")] == \
        [layer.output.shape for layer in model.layers if layer.name.endswith("_act")]
    with pytest.raises(ValueError, match="unknown upsampling 'bilinear'.*transpose, resize"):
        build(image_size=32, filters=8, upsampling="bilinear")


@pytest.mark.parametrize("how, grid", [("transpose", True), ("resize", False)])
def test_only_transposed_convolution_paints_a_grid_over_a_flat_input(how, grid):
    """Odena et al. 2016: a 4x4 kernel at stride 2 covers every other output
    pixel twice as often, so even a flat input comes out as a 2-pixel grid."""
    keras.utils.set_random_seed(0)
    flat = keras.Input((8, 8, 4))
    layer = keras.Model(flat, upsample(flat, 1, how))
    out = np.asarray(layer(np.ones((1, 8, 8, 4), "float32")))[0, 2:-2, 2:-2, 0]  # away from the borders
    assert (out.std() > 1e-3) == grid


@pytest.mark.parametrize("upsampling", ["transpose", "resize"])
def test_saved_generator_loads_with_the_same_outputs(tmp_path, upsampling):
    model = unet(image_size=32, filters=8, max_filters=32, upsampling=upsampling)
    model.save(tmp_path / "g.keras")
    loaded = load_generator(tmp_path / "g.keras")
    x = np.random.default_rng(1).uniform(-1, 1, (1, 32, 32, 3)).astype("float32")
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(model(x)), atol=1e-6)


def test_mirror_averaging_averages_the_two_drawings_and_draws_a_mirrored_photo_as_the_mirror(tmp_path):
    generator = unet(image_size=32, filters=8, max_filters=32)
    model = mirror_averaged(generator)
    x = np.random.default_rng(2).uniform(-1, 1, (2, 32, 32, 3)).astype("float32")
    mirror = lambda images: images[:, :, ::-1]  # noqa: E731
    drawn, drawn_mirrored = np.asarray(generator(x)), mirror(np.asarray(generator(mirror(x))))
    assert np.abs(drawn - drawn_mirrored).max() > 1e-3  # the generator alone is not mirror-symmetric
    np.testing.assert_allclose(np.asarray(model(x)), (drawn + drawn_mirrored) / 2, atol=1e-6)
    np.testing.assert_allclose(np.asarray(model(mirror(x))), mirror(np.asarray(model(x))), atol=1e-6)
    model.save(tmp_path / "averaged.keras")
    loaded = load_generator(tmp_path / "averaged.keras")
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(model(x)), atol=1e-6)
    fresh = keras.Model.from_config(model.get_config())  # as sketchlab.pretrained loads the shipped model
    fresh.set_weights(generator.get_weights())
    np.testing.assert_allclose(np.asarray(fresh(x)), np.asarray(model(x)), atol=1e-6)


def test_bad_model_files_are_named(tmp_path):
    with pytest.raises(ModelFileError, match="no such model file.*sketchlab train"):
        load_generator(tmp_path / "missing.keras")
    (tmp_path / "weights.h5").write_bytes(b"x")
    with pytest.raises(ModelFileError, match=r"weights.h5.*\.keras"):
        load_generator(tmp_path / "weights.h5")
    (tmp_path / "broken.keras").write_bytes(b"not a zip file")
    with pytest.raises(ModelFileError, match="broken.keras: cannot be loaded"):
        load_generator(tmp_path / "broken.keras")
    inputs = keras.Input((16, 16, 1))
    keras.Model(inputs, keras.layers.Conv2D(1, 3, padding="same")(inputs)).save(tmp_path / "grey_in.keras")
    with pytest.raises(ModelFileError, match="not \\(None, N, N, 3\\)"):
        load_generator(tmp_path / "grey_in.keras")


def test_a_model_file_from_another_keras_version_names_both_versions(tmp_path):
    import json
    import zipfile

    model = unet(image_size=32, filters=8, max_filters=32)
    model.save(tmp_path / "g.keras")
    old = tmp_path / "old.keras"
    with zipfile.ZipFile(tmp_path / "g.keras") as src, zipfile.ZipFile(old, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "metadata.json":
                data = json.dumps({**json.loads(data), "keras_version": "2.99.0"}).encode()
            elif item.filename == "config.json":  # a layer this Keras does not know
                data = data.replace(b'"class_name": "Conv2D"', b'"class_name": "RetiredConv2D"', 1)
            dst.writestr(item, data)
    with pytest.raises(ModelFileError, match=rf"saved with Keras 2\.99\.0 and this is Keras {keras.__version__}"):
        load_generator(old)


def _keras_instance_norm(**kwargs) -> keras.layers.GroupNormalization:
    return keras.layers.GroupNormalization(groups=-1, epsilon=1e-5, center=False, scale=False, **kwargs)


def _norm_and_grads(layer, x, upstream, jit: bool):
    @tf.function(jit_compile=jit)
    def run(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = layer(x)
            loss = tf.reduce_sum(y * upstream)
        return y, tape.gradient(loss, [x, *layer.trainable_variables])

    return run, run(x)


@pytest.mark.parametrize("batch, affine", [(1, False), (3, False), (2, True)])
def test_instance_norm_is_keras_group_normalization_computed_by_one_fused_kernel(batch, affine):
    rng = np.random.default_rng(0)
    x = rng.normal(2.0, 3.0, (batch, 12, 10, 5)).astype("float32")  # H != W: a wrong transposition shows
    x[0, :, :, 1] = 4.0  # a constant channel: zero variance
    upstream = tf.constant(rng.normal(size=x.shape).astype("float32"))
    ours = InstanceNormalization(center=affine, scale=affine)
    keras_own = keras.layers.GroupNormalization(groups=-1, epsilon=1e-5, center=affine, scale=affine)
    for layer in (ours, keras_own):
        layer.build(x.shape)
    if affine:
        for a, b in zip(ours.trainable_variables, keras_own.trainable_variables):
            value = rng.normal(1.0, 0.5, a.shape).astype("float32")
            a.assign(value), b.assign(value)
    assert isinstance(ours, keras.layers.GroupNormalization) and ours.groups == 5
    for jit in (False, True):
        run, (y, grads) = _norm_and_grads(ours, tf.constant(x), upstream, jit)
        _, (y_ref, grads_ref) = _norm_and_grads(keras_own, tf.constant(x), upstream, jit)
        np.testing.assert_allclose(y.numpy(), y_ref.numpy(), atol=2e-5)
        assert len(grads) == len(grads_ref) == (3 if affine else 1)
        # the constant channel's input gradient is 1/sqrt(epsilon + rounding error) times the upstream one:
        # ill-conditioned in any implementation, so it is left out of the comparison
        varied = np.ones(x.shape, bool)
        varied[0, :, :, 1] = False
        np.testing.assert_allclose(grads[0].numpy()[varied], grads_ref[0].numpy()[varied], atol=1e-4)
        for g, g_ref in zip(grads[1:], grads_ref[1:]):
            np.testing.assert_allclose(g.numpy(), g_ref.numpy(), atol=1e-4)
        if not jit:  # one fused kernel forward, one backward, and no group reshape into 5-D
            ops = [op.type for op in run.get_concrete_function(tf.constant(x)).graph.get_operations()]
            assert ops.count("FusedBatchNormV3") == 1 and ops.count("FusedBatchNormGradV3") == 1
    offset = ours.beta.numpy()[1] if affine else 0.0
    assert abs(y.numpy()[0, :, :, 1] - offset).max() < 1e-6  # the constant channel normalises to zero, not to noise


def test_instance_norm_falls_back_to_group_normalization_for_other_groupings():
    x = np.random.default_rng(1).normal(size=(2, 6, 6, 4)).astype("float32")
    ours, keras_own = InstanceNormalization(groups=2), keras.layers.GroupNormalization(groups=2, epsilon=1e-5,
                                                                                         center=False, scale=False)
    np.testing.assert_allclose(np.asarray(ours(x)), np.asarray(keras_own(x)), atol=1e-6)
    graph = tf.function(ours).get_concrete_function(tf.constant(x)).graph
    assert "FusedBatchNormV3" not in [op.type for op in graph.get_operations()]


def test_instance_norm_in_mixed_precision_computes_statistics_in_float32():
    x = np.random.default_rng(2).normal(100.0, 30.0, (2, 8, 8, 3)).astype("float16")  # float16 sums overflow
    ours = InstanceNormalization(dtype="mixed_float16")
    keras_own = _keras_instance_norm(dtype="mixed_float16")
    y, y_ref = ours(x), keras_own(x)
    assert y.dtype == y_ref.dtype == "float16"
    np.testing.assert_allclose(np.asarray(y, "float32"), np.asarray(y_ref, "float32"), atol=5e-3)


def test_a_cyclegan_generator_saved_with_keras_group_normalization_still_loads(tmp_path, monkeypatch):
    from sketchlab import models

    keras.utils.set_random_seed(0)
    current = models.resnet_generator(32, filters=4)
    monkeypatch.setattr(models, "instance_norm", lambda name: _keras_instance_norm(name=name))
    keras.utils.set_random_seed(0)
    earlier = models.resnet_generator(32, filters=4)  # as generators were saved before InstanceNormalization
    monkeypatch.undo()
    assert not any(isinstance(layer, InstanceNormalization) for layer in earlier.layers)
    for path, model in (("earlier.keras", earlier), ("current.keras", current)):
        model.save(tmp_path / path)
    loaded_earlier, loaded_current = load_generator(tmp_path / "earlier.keras"), load_generator(tmp_path / "current.keras")
    norms = sum(isinstance(layer, keras.layers.GroupNormalization) for layer in earlier.layers)
    assert norms == 11 and sum(isinstance(layer, InstanceNormalization) for layer in loaded_current.layers) == norms
    x = np.random.default_rng(3).uniform(-1, 1, (2, 32, 32, 3)).astype("float32")
    expected = np.asarray(earlier(x))
    for model in (loaded_earlier, current, loaded_current):
        np.testing.assert_allclose(np.asarray(model(x)), expected, atol=1e-5)
