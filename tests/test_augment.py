"""sketchlab.augment: what each change does to a photo, that the sketch keeps
its face, and the augmented training pipeline."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import tensorflow as tf

from sketchlab import pipeline
from sketchlab.augment import Augmentation, augment_pair, random_wall, reframe, relight
from sketchlab.data import load_cufs

SEED = tf.constant([3, 4], tf.int64)
NOTHING = Augmentation(probability=1.0, rotation=0.0, scale=0.0, backdrop=0.0, exposure=0.0, contrast=0.0,
                       gamma=0.0, cast=0.0, hue=0.0, saturation=0.0, falloff=0.0, grey=0.0)


def _pair(size: int = 32):
    rng = np.random.default_rng(0)
    photo = tf.constant(rng.uniform(20, 235, (size, size, 3)), tf.float32)
    sketch = tf.constant(rng.uniform(0, 255, (size, size, 1)), tf.float32)
    return photo, sketch


def _backdrop(size: int = 32, value: float = 0.0):
    return tf.fill((size, size, 1), value)


def test_with_every_strength_at_zero_a_pair_comes_back_unchanged():
    photo, sketch = _pair()
    out_photo, out_sketch = augment_pair(photo, _backdrop(), sketch, SEED, NOTHING)
    np.testing.assert_allclose(out_photo.numpy(), photo.numpy(), atol=1e-3)
    np.testing.assert_allclose(out_sketch.numpy(), sketch.numpy(), atol=1e-3)


def test_with_probability_zero_nothing_changes():
    photo, sketch = _pair()
    out = augment_pair(photo, _backdrop(), sketch, SEED, Augmentation(probability=0.0))
    np.testing.assert_array_equal(out[0].numpy(), photo.numpy())
    np.testing.assert_array_equal(out[1].numpy(), sketch.numpy())


def test_light_backdrop_and_grey_change_the_photo_and_never_the_sketch():
    photo, sketch = _pair()
    settings = dataclasses.replace(Augmentation(probability=1.0, backdrop=1.0, grey=1.0), rotation=0.0, scale=0.0)
    out_photo, out_sketch = augment_pair(photo, _backdrop(value=1.0), sketch, SEED, settings)
    np.testing.assert_allclose(out_sketch.numpy(), sketch.numpy(), atol=1e-3)
    assert np.abs(out_photo.numpy() - photo.numpy()).mean() > 5
    out = out_photo.numpy()
    np.testing.assert_allclose(out[..., 0], out[..., 2], atol=1e-3)  # grey: the same on every channel
    assert 0 <= out.min() and out.max() <= 255


def test_framing_moves_the_photo_and_its_sketch_alike():
    photo, _ = _pair()
    sketch = photo[..., :1]  # the sketch is the photo's red channel
    settings = dataclasses.replace(NOTHING, rotation=10.0, scale=0.1)
    out_photo, out_sketch = augment_pair(photo, _backdrop(), sketch, SEED, settings)
    assert np.abs(out_sketch.numpy() - sketch.numpy()).mean() > 5  # it moved
    np.testing.assert_allclose(out_photo.numpy()[..., :1], out_sketch.numpy(), atol=1e-3)  # and alike


def test_reframe_by_nothing_is_the_identity_and_a_quarter_turn_is_rot90():
    image = tf.constant(np.random.default_rng(1).uniform(0, 1, (16, 16, 2)), tf.float32)
    np.testing.assert_allclose(reframe(image, tf.constant(0.0), tf.constant(1.0)).numpy(), image.numpy(), atol=1e-5)
    turned = reframe(image, tf.constant(np.pi / 2, tf.float32), tf.constant(1.0)).numpy()
    assert min(np.abs(turned - np.rot90(image.numpy(), k)).max() for k in (1, 3)) < 1e-4


def test_the_backdrop_is_replaced_where_the_mask_says_and_only_there():
    photo, sketch = _pair()
    settings = dataclasses.replace(NOTHING, backdrop=1.0)
    mask = np.zeros((32, 32, 1), np.float32)
    mask[:, :16] = 1.0  # the left half is backdrop
    out, _ = augment_pair(photo, tf.constant(mask), sketch, SEED, settings)
    out = out.numpy()
    np.testing.assert_allclose(out[:, 16:], photo.numpy()[:, 16:], atol=1e-3)
    assert np.abs(out[:, :16] - photo.numpy()[:, :16]).mean() > 5
    assert out[:, :16].std(axis=(0, 1)).mean() < photo.numpy().std(axis=(0, 1)).mean()  # a wall: smoother than noise


def test_a_shade_above_one_draws_dim_walls_more_often():
    def brightness(shade: float) -> np.ndarray:
        return np.array([random_wall(8, tf.constant([seed, 0]), shade).numpy().mean() for seed in range(100)])

    even, dim = brightness(1.0), brightness(2.0)
    assert (dim < 0.3).mean() > (even < 0.3).mean() + 0.15
    assert dim.max() > 0.8  # white walls still come


def test_relight_stays_in_range_and_draws_from_the_seed():
    photo = tf.constant(np.random.default_rng(2).uniform(0, 1, (32, 32, 3)), tf.float32)
    once, again = relight(photo, SEED, Augmentation()), relight(photo, SEED, Augmentation())
    other = relight(photo, SEED + 1, Augmentation())
    np.testing.assert_array_equal(once.numpy(), again.numpy())
    assert not np.allclose(once.numpy(), other.numpy())
    assert 0 <= float(tf.reduce_min(once)) and float(tf.reduce_max(once)) <= 1


@pytest.fixture(scope="module")
def toy_pairs(toy_dir):
    return load_cufs(toy_dir).split("train")[:8]


def test_the_augmented_pipeline_keeps_the_crops_and_sketches_and_changes_the_photos(toy_pairs):
    def batches(augment):
        return list(pipeline.paired_dataset(toy_pairs, 32, 4, training=True, seed=1, epochs=1, augment=augment))

    plain, augmented = batches(None), batches(dataclasses.replace(Augmentation(probability=1.0), rotation=0.0,
                                                                  scale=0.0))
    assert len(plain) == len(augmented) == 2
    for (photo, sketch), (aug_photo, aug_sketch) in zip(plain, augmented):
        assert aug_photo.shape == photo.shape and aug_sketch.shape == sketch.shape
        np.testing.assert_allclose(aug_sketch.numpy(), sketch.numpy(), atol=1e-4)
        assert np.abs(aug_photo.numpy() - photo.numpy()).mean() > 0.02
        assert -1 <= float(tf.reduce_min(aug_photo)) and float(tf.reduce_max(aug_photo)) <= 1
    again = batches(dataclasses.replace(Augmentation(probability=1.0), rotation=0.0, scale=0.0))
    np.testing.assert_array_equal(again[0][0].numpy(), augmented[0][0].numpy())


def test_the_test_split_is_never_augmented(toy_pairs):
    plain = next(iter(pipeline.paired_dataset(toy_pairs, 32, 4)))
    asked = next(iter(pipeline.paired_dataset(toy_pairs, 32, 4, augment=Augmentation(probability=1.0))))
    np.testing.assert_array_equal(plain[0].numpy(), asked[0].numpy())
