"""``tf.data`` input pipelines for paired and unpaired photo/sketch training.

Each image goes through the same steps:

1. decode; the photo as RGB, the sketch as one grey channel (ITU-R 601 luma);
2. pad the 200x250 frame into a 250x250 square, keeping the aspect ratio
   (:func:`pad_to_square`, undone by :func:`unpad`);
3. resize to the profile's image size (for training: up by the profile's
   ``jitter_scale``), then cache, so decoding and resizing happen once;
4. for training, random jitter (pix2pix, Isola et al. 2017): a random crop
   back to the image size and a random left-right flip, the SAME crop and
   flip on a photo and its sketch;
5. for training with an :class:`~sketchlab.augment.Augmentation`, the photo
   under another backdrop, light and framing (:mod:`sketchlab.augment`; the
   backdrop masks are found once, before the cache);
6. scale to [-1, 1], batch, prefetch.

The unpaired variant (CycleGAN) shuffles and jitters each domain on its own.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import tensorflow as tf

from .augment import Augmentation, augment_pair
from .data import IMAGE_HEIGHT, IMAGE_WIDTH, Pair

AUTOTUNE = tf.data.AUTOTUNE


def decode(path: tf.Tensor, channels: int) -> tf.Tensor:
    """Read and decode a JPEG or PNG file to uint8 with ``channels`` channels."""
    image = tf.io.decode_image(tf.io.read_file(path), channels=channels, expand_animations=False)
    image.set_shape([None, None, channels])
    return image


def pad_to_square(image: tf.Tensor) -> tf.Tensor:
    """Pad an (H, W, C) image to (S, S, C), S = max(H, W), by mirroring its
    borders, so the face keeps its aspect ratio and no artificial edge appears."""
    h, w = tf.shape(image)[0], tf.shape(image)[1]
    side = tf.maximum(h, w)
    top, left = (side - h) // 2, (side - w) // 2
    paddings = [[top, side - h - top], [left, side - w - left], [0, 0]]
    return tf.pad(image, paddings, mode="SYMMETRIC")


def unpad(images: tf.Tensor, height: int = IMAGE_HEIGHT, width: int = IMAGE_WIDTH) -> tf.Tensor:
    """Undo :func:`pad_to_square` and the resize: square (..., S, S, C) images
    back to the (..., height, width, C) frame. Works on one image or a batch."""
    side = max(height, width)
    images = tf.convert_to_tensor(images)
    if images.shape[-3] != side or images.shape[-2] != side:
        images = tf.image.resize(images, (side, side), method="bilinear", antialias=True)
    top, left = (side - height) // 2, (side - width) // 2
    return images[..., top : top + height, left : left + width, :]


def to_model_range(image: tf.Tensor) -> tf.Tensor:
    """uint8 [0, 255] (or float) -> float32 [-1, 1]."""
    return tf.cast(image, tf.float32) / 127.5 - 1.0


def to_unit_range(image: tf.Tensor) -> tf.Tensor:
    """float [-1, 1] -> float32 [0, 1], clipped (for display and metrics)."""
    return tf.clip_by_value((tf.cast(image, tf.float32) + 1.0) / 2.0, 0.0, 1.0)


def resize(image: tf.Tensor, size: int) -> tf.Tensor:
    """Resize a square image (or batch) to ``size`` x ``size``, float32."""
    return tf.image.resize(tf.cast(image, tf.float32), (size, size), method="bilinear", antialias=True)


def random_crop_flip(images: Sequence[tf.Tensor], size: int, seed: tf.Tensor) -> list[tf.Tensor]:
    """The same random ``size`` x ``size`` crop and left-right flip on every
    image in ``images`` (a photo and its sketch), float32 out.

    Args:
        images: (H, W, C_i) images of one scene, all of the same H and W.
        size: output side.
        seed: a shape-(2,) integer seed for the stateless random ops.
    """
    channels = [int(im.shape[-1]) for im in images]
    stack = tf.concat([tf.cast(im, tf.float32) for im in images], axis=-1)
    seeds = tf.random.experimental.stateless_split(tf.cast(seed, tf.int64), num=2)
    stack = tf.image.stateless_random_crop(stack, [size, size, sum(channels)], seed=seeds[0])
    stack = tf.image.stateless_random_flip_left_right(stack, seed=seeds[1])
    return tf.split(stack, channels, axis=-1)


def jitter_size(size: int, scale: float) -> int:
    """The side images are resized to before the random crop."""
    return int(round(size * scale))


def random_jitter(
    images: Sequence[tf.Tensor], size: int, scale: float, seed: tf.Tensor
) -> list[tf.Tensor]:
    """Random jitter (pix2pix): resize up by ``scale``, then the same random
    crop back to ``size`` and the same random flip on every image.

    Args:
        images: square (S, S, C_i) images of one scene (a photo and its sketch).
        size: output side.
        scale: resize factor before the random crop (pix2pix: 286/256).
        seed: a shape-(2,) integer seed for the stateless random ops.

    Returns:
        The images, each (size, size, C_i) float32, in the same order.
    """
    big = jitter_size(size, scale)
    return random_crop_flip([resize(im, big) for im in images], size, seed)


def with_backdrop(photo: tf.Tensor) -> tf.Tensor:
    """An (H, W, 3) uint8 photo in the 200x250 frame with a fourth channel:
    255 where it shows CUHK's backdrop (:func:`sketchlab.shifts.backdrop_mask`), else 0."""
    from .shifts import backdrop_mask  # scipy: loaded only when a run augments

    def mask(image):
        return (backdrop_mask(image[None] / 255.0)[0, ..., None] * 255).astype("uint8")

    found = tf.numpy_function(mask, [photo], tf.uint8, stateful=False)
    return tf.concat([photo, tf.reshape(found, tf.concat([tf.shape(photo)[:2], [1]], 0))], axis=-1)


def jittered_pair(pair: Sequence[tf.Tensor], size: int, seed: tf.Tensor,
                  augment: Augmentation | None = None) -> tuple[tf.Tensor, tf.Tensor]:
    """A training pair's random crop and flip, then its augmentation, if
    any (the photo then carries its backdrop mask as a fourth channel)."""
    photo, sketch = random_crop_flip(pair, size, seed)
    if augment is None:
        return photo, sketch
    return augment_pair(photo[..., :3], photo[..., 3:] / 255.0, sketch,
                        tf.random.experimental.stateless_fold_in(seed, 1), augment)


def decoded_pairs(source: Sequence[Pair] | tf.data.Dataset, backdrop: bool = False) -> tf.data.Dataset:
    """(photo, sketch) uint8 squares from a list of :class:`Pair` or from a
    dataset of ``{photo, sketch}`` examples (the TFDS builder's); ``backdrop``:
    the photo with its backdrop mask as a fourth channel (:func:`with_backdrop`)."""
    if isinstance(source, tf.data.Dataset):
        ds = source.map(
            lambda ex: (ex["photo"], ex["sketch"]), num_parallel_calls=AUTOTUNE
        )
    else:
        photos = [str(p.photo) for p in source]
        sketches = [str(p.sketch) for p in source]
        ds = tf.data.Dataset.from_tensor_slices((photos, sketches)).map(
            lambda p, s: (decode(p, 3), decode(s, 1)), num_parallel_calls=AUTOTUNE
        )
    if backdrop:
        ds = ds.map(lambda p, s: (with_backdrop(p), s), num_parallel_calls=AUTOTUNE)
    return ds.map(lambda p, s: (pad_to_square(p), pad_to_square(s)), num_parallel_calls=AUTOTUNE)


def _cached_squares(source: Sequence[Pair] | tf.data.Dataset, side: int, backdrop: bool = False) -> tf.data.Dataset:
    """Decoded, padded pairs resized to ``side``, cached: decoding and resizing
    happen once, not every epoch."""
    return decoded_pairs(source, backdrop).map(
        lambda p, s: (resize(p, side), resize(s, side)), num_parallel_calls=AUTOTUNE
    ).cache()


def _no_autotune_model() -> tf.data.Options:
    """Options that switch off tf.data's autotuning model (its background
    thread), keeping AUTOTUNE's defaults: a parallel map on every core and
    the prefetch buffer's own tuning.

    The model thread sleeps for a period that doubles up to 60 s, and in
    TensorFlow 2.21 deleting an iterator waits for that sleep to end, so a
    ``fit`` could sit idle for half a minute after its last epoch. Without
    the model the pipeline is as fast (docs/performance.md, "The input
    pipeline").
    """
    options = tf.data.Options()
    options.autotune.enabled = False
    return options


def _finish(ds: tf.data.Dataset, batch_size: int, training: bool) -> tf.data.Dataset:
    return ds.batch(batch_size, drop_remainder=training).prefetch(AUTOTUNE).with_options(_no_autotune_model())


def paired_dataset(
    source: Sequence[Pair] | tf.data.Dataset,
    image_size: int,
    batch_size: int,
    training: bool = False,
    seed: int = 0,
    jitter_scale: float = 286 / 256,
    epochs: int | None = None,
    first_epoch: int = 0,
    augment: Augmentation | None = None,
) -> tf.data.Dataset:
    """Batches of ``(photo, sketch)``: (B, N, N, 3) and (B, N, N, 1) in [-1, 1].

    Args:
        source: pairs from :func:`sketchlab.data.load_cufs` (``data.split(...)``)
            or a TFDS dataset of ``{photo, sketch}`` examples.
        image_size: N, the side of the square images.
        batch_size: images per batch (the last partial batch is dropped when
            training).
        training: shuffle each epoch and apply the paired random jitter.
        seed: makes the shuffle order and the jitter repeatable.
        jitter_scale: resize factor before the random crop.
        epochs: for training. None: one epoch per pass over the dataset,
            reshuffled on every pass (``fit(ds, epochs=...)``). A number: the
            epochs ``first_epoch`` to ``epochs - 1`` in one stream, each
            epoch's order and jitter drawn from (seed, epoch) alone, so a
            resumed run sees the batches an uninterrupted one would (see
            :func:`epoch_stream`).
        first_epoch: the first epoch of that stream.
        augment: for training, the photos' augmentation (:mod:`sketchlab.augment`);
            None: none.
    """
    augment = augment if training else None
    ds = _cached_squares(source, jitter_size(image_size, jitter_scale) if training else image_size,
                         backdrop=augment is not None)
    if training:
        ds = _shuffled_with_seeds(ds, seed, seed, epochs, first_epoch, batch_size)
        ds = ds.map(lambda pair, s: jittered_pair(pair, image_size, s, augment), num_parallel_calls=AUTOTUNE)
    ds = ds.map(lambda p, s: (to_model_range(p), to_model_range(s)), num_parallel_calls=AUTOTUNE)
    return _finish(ds, batch_size, training)


def epoch_stream(items: tf.data.Dataset, seed: int, first_epoch: int, epochs: int,
                 batch_size: int = 1) -> tf.data.Dataset:
    """Epochs ``first_epoch`` to ``epochs - 1`` of ``items`` (a finite,
    cached dataset) in one stream of ``(item, jitter_seed)``.

    Each epoch holds the items in an order drawn from (seed, epoch), and
    gives each a shape-(2,) seed for the stateless jitter drawn from the
    same: nothing depends on how many epochs came before in this process,
    so a run resumed at epoch k gets exactly the batches from k on that an
    uninterrupted run gets. Each epoch leaves out the ``count % batch_size``
    items its order puts last, so batches never straddle two epochs.
    """
    count = int(items.cardinality())
    if count < 0:
        count = int(items.reduce(0, lambda n, _: n + 1))
    whole = items.batch(count)  # one element: every item, in the cached order
    used = count - count % batch_size

    def one_epoch(epoch, batch):
        epoch_seed = tf.stack([tf.constant(seed, tf.int64), epoch])
        order = tf.random.experimental.stateless_shuffle(tf.range(count), seed=epoch_seed)[:used]
        jitter = tf.random.experimental.stateless_split(epoch_seed + [0, 1 << 32], used)
        return tf.data.Dataset.from_tensor_slices((tf.nest.map_structure(lambda t: tf.gather(t, order), batch),
                                                   jitter))

    return tf.data.Dataset.zip((tf.data.Dataset.range(first_epoch, epochs), whole.repeat())).flat_map(one_epoch)


def unpaired_dataset(
    source: Sequence[Pair] | tf.data.Dataset,
    image_size: int,
    batch_size: int,
    seed: int = 0,
    jitter_scale: float = 286 / 256,
    epochs: int | None = None,
    first_epoch: int = 0,
) -> tf.data.Dataset:
    """Batches of ``(photo, sketch)`` for CycleGAN: each domain shuffled and
    jittered on its own, so a batch's photos and sketches are of different
    people. Shapes and range as in :func:`paired_dataset`; ``epochs`` and
    ``first_epoch`` as there."""
    decoded = _cached_squares(source, jitter_size(image_size, jitter_scale))

    def photo_of(photo, sketch):
        return photo

    def sketch_of(photo, sketch):
        return sketch

    domains = [_jittered(decoded.map(pick), image_size, seed + index, seed + 10 + index, epochs, first_epoch,
                         batch_size)
               for index, pick in enumerate((photo_of, sketch_of))]
    return _finish(tf.data.Dataset.zip(tuple(domains)), batch_size, training=True)


def _shuffled_with_seeds(items: tf.data.Dataset, shuffle_seed: int, jitter_seed: int, epochs: int | None,
                         first_epoch: int, batch_size: int) -> tf.data.Dataset:
    """``(item, jitter_seed)`` in a shuffled order: reshuffled on every pass
    when ``epochs`` is None, else the :func:`epoch_stream` of those epochs."""
    if epochs is not None:
        return epoch_stream(items, shuffle_seed, first_epoch, epochs, batch_size)
    items = items.shuffle(1024, seed=shuffle_seed, reshuffle_each_iteration=True)
    seeds = tf.data.Dataset.random(seed=jitter_seed, rerandomize_each_iteration=True).batch(2)
    return tf.data.Dataset.zip((items, seeds))


def _jittered(images: tf.data.Dataset, image_size: int, shuffle_seed: int, jitter_seed: int,
              epochs: int | None = None, first_epoch: int = 0, batch_size: int = 1) -> tf.data.Dataset:
    """One domain of images, shuffled each epoch, randomly cropped to
    ``image_size`` and flipped, scaled to [-1, 1]."""
    images = _shuffled_with_seeds(images, shuffle_seed, jitter_seed, epochs, first_epoch, batch_size)
    return images.map(
        lambda image, s: to_model_range(random_crop_flip([image], image_size, s)[0]),
        num_parallel_calls=AUTOTUNE,
    )


def sketch_dataset(source: Sequence[Pair] | tf.data.Dataset, image_size: int, batch_size: int, seed: int = 0,
                   jitter_scale: float = 286 / 256, epochs: int | None = None,
                   first_epoch: int = 0) -> tf.data.Dataset:
    """Batches of sketches alone, (B, N, N, 1) in [-1, 1], shuffled and
    jittered (random crop and flip) for an unconditional GAN; ``epochs`` and
    ``first_epoch`` as in :func:`paired_dataset`."""
    sketches = _cached_squares(source, jitter_size(image_size, jitter_scale)).map(lambda photo, sketch: sketch)
    return _finish(_jittered(sketches, image_size, seed, seed, epochs, first_epoch, batch_size), batch_size,
                   training=True)


def images_per_second(ds: tf.data.Dataset, epochs: int = 3) -> float:
    """Images per second delivered by ``ds`` over ``epochs`` full passes, after
    one warm-up pass (which fills the cache)."""
    for _ in ds:
        pass
    count, start = 0, time.perf_counter()
    for _ in range(epochs):
        for batch in ds:
            count += int(tf.shape(batch[0])[0])
    return count / (time.perf_counter() - start)
