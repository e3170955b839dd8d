"""sketchlab.pipeline: shapes, ranges, padding, paired jitter, unpaired order."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from sketchlab import pipeline
from sketchlab.data import load_cufs


def _examples(n: int = 12) -> tf.data.Dataset:
    """``{photo, sketch}`` examples whose pixels encode the person's number,
    so a test can tell which photo went with which sketch."""
    ids = np.arange(n, dtype=np.uint8) * 20
    photos = np.broadcast_to(ids[:, None, None, None], (n, 250, 200, 3)).copy()
    sketches = np.broadcast_to(ids[:, None, None, None], (n, 250, 200, 1)).copy()
    return tf.data.Dataset.from_tensor_slices({"photo": photos, "sketch": sketches})


@pytest.mark.parametrize("training", [False, True])
def test_paired_batches_have_shapes_dtype_and_range(mirror, training):
    pairs = load_cufs(mirror).pairs
    ds = pipeline.paired_dataset(pairs, image_size=32, batch_size=4, training=training)
    batches = list(ds)
    assert len(batches) == (1 if training else 2)  # 6 pairs: a partial batch is dropped only when training
    photo, sketch = batches[0]
    assert photo.shape == (4, 32, 32, 3) and sketch.shape == (4, 32, 32, 1)
    assert photo.dtype == tf.float32 and sketch.dtype == tf.float32
    for x in (photo, sketch):
        assert -1.0 <= float(tf.reduce_min(x)) < float(tf.reduce_max(x)) <= 1.0


def test_paired_batches_keep_photo_and_sketch_together():
    ds = pipeline.paired_dataset(_examples(), image_size=16, batch_size=4, training=True)
    for photo, sketch in ds:
        np.testing.assert_allclose(photo[..., :1].numpy(), sketch.numpy(), atol=1e-5)


def test_unpaired_batches_mix_people_but_cover_each_domain():
    ds = pipeline.unpaired_dataset(_examples(), image_size=16, batch_size=4)
    photo_ids, sketch_ids = [], []
    for photo, sketch in ds:
        photo_ids += np.round(photo[:, 0, 0, 0].numpy(), 3).tolist()
        sketch_ids += np.round(sketch[:, 0, 0, 0].numpy(), 3).tolist()
    assert sorted(photo_ids) == sorted(sketch_ids)  # same people in each domain
    assert photo_ids != sketch_ids  # but not in the same order


def test_pipeline_is_repeatable_with_a_seed(mirror):
    pairs = load_cufs(mirror).pairs

    def first(seed):
        return next(iter(pipeline.paired_dataset(pairs, 32, 4, training=True, seed=seed)))[0].numpy()

    np.testing.assert_array_equal(first(3), first(3))
    assert not np.array_equal(first(3), first(4))


def test_jitter_changes_between_epochs(mirror):
    ds = pipeline.paired_dataset(load_cufs(mirror).pairs, 32, 6, training=True)
    epoch1, epoch2 = (next(iter(ds))[1].numpy() for _ in range(2))
    assert not np.array_equal(np.sort(epoch1.ravel()), np.sort(epoch2.ravel()))


def test_a_sketch_equal_to_the_grey_photo_stays_equal_after_jitter():
    rng = np.random.default_rng(0)
    photo = tf.constant(rng.uniform(0, 255, (250, 250, 3)), tf.float32)
    sketch = tf.image.rgb_to_grayscale(photo)
    for seed in range(5):
        p, s = pipeline.random_jitter([photo, sketch], 64, 286 / 256, tf.constant([seed, 1]))
        assert p.shape == (64, 64, 3) and s.shape == (64, 64, 1)
        np.testing.assert_allclose(tf.image.rgb_to_grayscale(p).numpy(), s.numpy(), atol=1e-3)


def test_jitter_really_crops_and_flips():
    photo = tf.constant(np.add.outer(np.arange(250), np.arange(250))[..., None], tf.float32)
    outputs = {pipeline.random_jitter([photo], 64, 1.5, tf.constant([s, 0]))[0].numpy().tobytes() for s in range(8)}
    assert len(outputs) > 4


def test_pad_to_square_and_unpad_round_trip():
    image = tf.constant(np.random.default_rng(1).integers(0, 256, (250, 200, 3)), tf.float32)
    square = pipeline.pad_to_square(image)
    assert square.shape == (250, 250, 3)
    np.testing.assert_array_equal(square[:, 25:225].numpy(), image.numpy())
    np.testing.assert_array_equal(square[:, 24].numpy(), image[:, 0].numpy())  # mirrored border
    np.testing.assert_array_equal(pipeline.unpad(square[None])[0].numpy(), image.numpy())


def test_unpad_from_the_model_size_restores_the_frame():
    smooth = tf.constant(np.tile(np.linspace(0, 1, 250)[:, None, None], (1, 200, 1)), tf.float32)
    small = pipeline.resize(pipeline.pad_to_square(smooth), 64)
    back = pipeline.unpad(small[None])
    assert back.shape == (1, 250, 200, 1)
    np.testing.assert_allclose(back[0].numpy(), smooth.numpy(), atol=0.02)


def test_scaling_maps_uint8_to_minus_one_one_and_back():
    x = tf.constant([0, 127.5, 255])
    np.testing.assert_allclose(pipeline.to_model_range(x).numpy(), [-1, 0, 1])
    np.testing.assert_allclose(pipeline.to_unit_range(pipeline.to_model_range(x)).numpy(), [0, 0.5, 1])


def test_an_epoch_stream_resumed_at_epoch_k_gives_the_batches_from_k_on():
    def ids(ds):
        return [np.round(batch[0][:, 0, 0, 0].numpy(), 3).tolist() for batch in ds]

    whole = ids(pipeline.paired_dataset(_examples(), 16, 4, training=True, seed=2, epochs=4))
    resumed = ids(pipeline.paired_dataset(_examples(), 16, 4, training=True, seed=2, epochs=4, first_epoch=2))
    assert len(whole) == 12 and resumed == whole[6:]  # 3 batches of 4 per epoch
    epochs = [sorted(sum(whole[i:i + 3], [])) for i in range(0, 12, 3)]
    assert all(e == epochs[0] for e in epochs)  # every person once per epoch ...
    assert sum(whole[0:3], []) != sum(whole[3:6], [])  # ... in a new order


def test_an_epoch_stream_never_puts_two_epochs_in_one_batch():
    ds = pipeline.unpaired_dataset(_examples(10), 16, 4, epochs=3)
    batches = [np.round(b[1][:, 0, 0, 0].numpy(), 3).tolist() for b in ds]
    assert len(batches) == 6 and all(len(set(b)) == 4 for b in batches)  # 2 full batches per epoch
