"""The networks: shapes, the paper's sizes, saving and loading."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from sketchlab.models import ModelFileError, encoder_decoder, filter_counts, load_generator, unet


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


def test_saved_generator_loads_with_the_same_outputs(tmp_path):
    model = unet(image_size=32, filters=8, max_filters=32)
    model.save(tmp_path / "g.keras")
    loaded = load_generator(tmp_path / "g.keras")
    x = np.random.default_rng(1).uniform(-1, 1, (1, 32, 32, 3)).astype("float32")
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(model(x)), atol=1e-6)


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


def test_the_command_line_offers_every_generator():
    from sketchlab.cli import MODEL_NAMES, TRANSLATORS
    from sketchlab.models import GENERATORS

    assert tuple(GENERATORS) == MODEL_NAMES[:2] and MODEL_NAMES[2:] == ("pix2pix", "dcgan", "cyclegan")
    assert TRANSLATORS == ("encoder-decoder", "unet", "pix2pix", "cyclegan")


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
