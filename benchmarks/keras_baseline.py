"""The baseline of ``benchmarks/throughput.py``: CycleGAN and pix2pix written
the straightforward way, as the keras.io CycleGAN example and the TensorFlow
pix2pix tutorial write them.

- a ``keras.Model`` subclass whose ``train_step`` records every forward pass
  on ONE persistent ``tf.GradientTape`` and asks it for one gradient per
  network (four optimizers for CycleGAN, two for pix2pix);
- a ``tf.data`` pipeline that decodes, pads, resizes and jitters every image
  on every pass in one ``map`` (``num_parallel_calls=AUTOTUNE``, as both
  examples do), without ``.cache()`` and without ``.prefetch()``;
- float32, no XLA (``jit_compile=False``), constant learning rate.

It trains the SAME networks (built with ``sketchlab.models``' builders, so
the architectures are identical; Keras' ``GroupNormalization(groups=-1)`` as
the instance norm, :func:`keras_layers`) on the SAME losses as
``sketchlab.gans.CycleGAN.train_step`` and ``sketchlab.gans.Pix2Pix.train_step``:

- CycleGAN: least-squares adversarial terms, both cycle terms (weight
  ``lambda_cycle``) and both identity terms (weight ``0.5 * lambda_cycle``)
  in ONE generator loss whose gradients reach both generators (the paper;
  the keras.io example gives each generator its own cycle term only), and
  the discriminators trained on fakes drawn through a history pool of 50
  images (the authors' ``ImagePool``, written here from their description);
- pix2pix: the discriminator is updated first on
  ``0.5 * (BCE(1, D(photo, sketch)) + BCE(0, D(photo, fake)))``, then the
  generator on ``BCE(1, D'(photo, fake)) + lambda_l1 * mean|sketch - fake|``
  through the updated discriminator D' (the authors' order; the TF tutorial
  uses the discriminator before its update and no 0.5).

Only the way the step is written, the input pipeline, the compile settings
and the instance norm's kernels differ from sketchlab's.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import tensorflow as tf

from sketchlab.models import InstanceNormalization

AUTOTUNE = tf.data.AUTOTUNE
LUMA = (0.299, 0.587, 0.114)  # ITU-R 601: RGB -> grey (what sketchlab's decode and to_channels use)


# --------------------------------------------------------------------------- data


def _decode(path, channels: int):
    image = tf.io.decode_image(tf.io.read_file(path), channels=channels, expand_animations=False)
    image.set_shape([None, None, channels])
    return image


def _pad_square(image):
    """Mirror-pad (H, W, C) to (S, S, C), S = max(H, W)."""
    h, w = tf.shape(image)[0], tf.shape(image)[1]
    side = tf.maximum(h, w)
    top, left = (side - h) // 2, (side - w) // 2
    return tf.pad(image, [[top, side - h - top], [left, side - w - left], [0, 0]], mode="SYMMETRIC")


def _load(path, channels: int, big: int):
    """decode -> pad to a square -> resize up to the jitter size, float32 [0, 255]."""
    image = _pad_square(_decode(path, channels))
    return tf.image.resize(tf.cast(image, tf.float32), (big, big), method="bilinear", antialias=True)


def _normalize(image):
    return image / 127.5 - 1.0


def _jitter(images, size: int):
    """The same random crop and left-right flip on every image of ``images``."""
    channels = [int(im.shape[-1]) for im in images]
    stack = tf.concat(images, axis=-1)
    stack = tf.image.random_crop(stack, [size, size, sum(channels)])
    stack = tf.image.random_flip_left_right(stack)
    return tf.split(stack, channels, axis=-1)


def jitter_size(size: int, scale: float) -> int:
    return int(round(size * scale))


def paired_dataset(pairs: Sequence, image_size: int, batch_size: int = 1, jitter_scale: float = 286 / 256,
                   seed: int = 0, repeat: bool = True) -> tf.data.Dataset:
    """(photo, sketch) batches for pix2pix, tutorial style: every image read,
    decoded, resized and jittered in one map, every pass."""
    big = jitter_size(image_size, jitter_scale)
    photos = [str(p.photo) for p in pairs]
    sketches = [str(p.sketch) for p in pairs]

    def load_train(photo_path, sketch_path):
        photo, sketch = _jitter([_load(photo_path, 3, big), _load(sketch_path, 1, big)], image_size)
        return _normalize(photo), _normalize(sketch)

    ds = tf.data.Dataset.from_tensor_slices((photos, sketches)).shuffle(len(photos), seed=seed)
    ds = ds.map(load_train, num_parallel_calls=AUTOTUNE).batch(batch_size, drop_remainder=True)
    return ds.repeat() if repeat else ds


def unpaired_dataset(pairs: Sequence, image_size: int, batch_size: int = 1, jitter_scale: float = 286 / 256,
                     seed: int = 0, repeat: bool = True) -> tf.data.Dataset:
    """(photo, sketch) batches for CycleGAN, keras.io style: each domain
    shuffled, loaded and jittered on its own, then zipped."""
    big = jitter_size(image_size, jitter_scale)

    def domain(paths, channels, domain_seed):
        def load_train(path):
            return _normalize(_jitter([_load(path, channels, big)], image_size)[0])

        ds = tf.data.Dataset.from_tensor_slices(paths).shuffle(len(paths), seed=domain_seed)
        return ds.map(load_train, num_parallel_calls=AUTOTUNE).batch(batch_size, drop_remainder=True)

    ds = tf.data.Dataset.zip((domain([str(p.photo) for p in pairs], 3, seed),
                              domain([str(p.sketch) for p in pairs], 1, seed + 1)))
    return ds.repeat() if repeat else ds


# --------------------------------------------------------------------------- losses


def _lsgan(logits, target: float):
    """Least-squares GAN loss: mean (D(x) - target)^2."""
    return tf.reduce_mean(tf.square(logits - target))


def _bce(logits, target: float):
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(
        labels=tf.fill(tf.shape(logits), target), logits=logits))


def _l1(a, b):
    return tf.reduce_mean(tf.abs(a - b))


def _grey_to_rgb(images):
    return tf.repeat(images, 3, axis=-1)


def _rgb_to_grey(images):
    return tf.reduce_sum(images * tf.constant(LUMA, images.dtype), axis=-1, keepdims=True)


class HistoryPool:
    """The history of generated images of Shrivastava et al. 2017 as the
    CycleGAN authors' ``ImagePool`` does it: while the pool fills, each new
    image is stored and returned; once full, with probability 1/2 a random
    stored image is returned and replaced by the new one, else the new one
    is returned. ``size`` 0 passes batches through."""

    def __init__(self, size: int, image_shape: tuple[int, int, int], seed: int = 0):
        self.size = int(size)
        self.images = tf.Variable(tf.zeros((max(self.size, 1), *image_shape)), trainable=False)
        self.count = tf.Variable(0, trainable=False)
        self.rng = tf.random.Generator.from_seed(seed)

    def reset(self) -> None:
        self.count.assign(0)

    def __call__(self, images):
        if self.size == 0:
            return images
        return tf.stack([self._one(images[i]) for i in range(images.shape[0])])

    def _one(self, image):
        def fill():
            self.images.scatter_nd_update(tf.reshape(self.count, [1, 1]), image[None])
            self.count.assign_add(1)
            return tf.identity(image)

        def full():
            coin = self.rng.uniform(())
            slot = self.rng.uniform((), 0, self.size, dtype=tf.int32)

            def swap():
                old = tf.gather(self.images, slot)
                with tf.control_dependencies([old]):
                    self.images.scatter_nd_update(tf.reshape(slot, [1, 1]), image[None])
                return old

            return tf.cond(coin > 0.5, swap, lambda: tf.identity(image))

        return tf.cond(self.count < self.size, fill, full)


# --------------------------------------------------------------------------- models


def keras_layers(network: keras.Model) -> keras.Model:
    """``network`` rebuilt with Keras' own layers where sketchlab has its own
    version of one: each ``InstanceNormalization`` becomes the
    ``keras.layers.GroupNormalization`` of the same config (the layer sketchlab's
    subclasses; the same values in every variable, the same outputs, Keras'
    own kernels)."""
    def clone(layer):
        cls = keras.layers.GroupNormalization if isinstance(layer, InstanceNormalization) else type(layer)
        return cls.from_config(layer.get_config())

    rebuilt = keras.models.clone_model(network, clone_function=clone)
    if len(rebuilt.variables) != len(network.variables):
        raise AssertionError(f"{network.name}: {len(rebuilt.variables)} variables rebuilt, {len(network.variables)} before")
    for copy, original in zip(rebuilt.variables, network.variables):
        copy.assign(original)
    return rebuilt


def adam() -> keras.optimizers.Optimizer:
    return keras.optimizers.Adam(2e-4, beta_1=0.5)


class BaselineCycleGAN(keras.Model):
    """CycleGAN, keras.io style. X = photos, Y = sketches; ``gen_G``: X -> Y
    (photo -> sketch), ``gen_F``: Y -> X, ``disc_X`` judges photos, ``disc_Y``
    sketches."""

    def __init__(self, gen_G, gen_F, disc_X, disc_Y, lambda_cycle: float = 10.0, lambda_identity: float = 0.5,
                 pool_size: int = 50, seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.gen_G, self.gen_F, self.disc_X, self.disc_Y = gen_G, gen_F, disc_X, disc_Y
        self.lambda_cycle, self.lambda_identity = lambda_cycle, lambda_identity
        self.pool_Y = HistoryPool(pool_size, gen_G.output_shape[1:], seed=seed)
        self.pool_X = HistoryPool(pool_size, gen_F.output_shape[1:], seed=seed + 1)

    def call(self, x, training=False):
        return self.gen_G(x, training=training)

    def compile(self, gen_G_optimizer, gen_F_optimizer, disc_X_optimizer, disc_Y_optimizer, **kwargs):
        super().compile(jit_compile=False, **kwargs)
        self.gen_G_optimizer, self.gen_F_optimizer = gen_G_optimizer, gen_F_optimizer
        self.disc_X_optimizer, self.disc_Y_optimizer = disc_X_optimizer, disc_Y_optimizer

    def network_optimizers(self) -> dict:
        """{sketchlab's name of a network: (the network, its optimizer)}."""
        return {"i2s": (self.gen_G, self.gen_G_optimizer), "s2i": (self.gen_F, self.gen_F_optimizer),
                "d_sketch": (self.disc_Y, self.disc_Y_optimizer), "d_photo": (self.disc_X, self.disc_X_optimizer)}

    def pools(self) -> list[HistoryPool]:
        return [self.pool_Y, self.pool_X]

    def train_step(self, batch_data):
        real_x, real_y = batch_data[:2]
        with tf.GradientTape(persistent=True) as tape:
            fake_y = self.gen_G(real_x, training=True)
            fake_x = self.gen_F(real_y, training=True)
            cycled_x = self.gen_F(fake_y, training=True)
            cycled_y = self.gen_G(fake_x, training=True)
            same_y = self.gen_G(_grey_to_rgb(real_y), training=True)
            same_x = self.gen_F(_rgb_to_grey(real_x), training=True)

            gen_G_loss = _lsgan(self.disc_Y(fake_y, training=True), 1.0)
            gen_F_loss = _lsgan(self.disc_X(fake_x, training=True), 1.0)
            cycle_x = _l1(cycled_x, real_x)
            cycle_y = _l1(cycled_y, real_y)
            identity_y = _l1(same_y, real_y)
            identity_x = _l1(same_x, real_x)
            total_gen_loss = (gen_G_loss + gen_F_loss + self.lambda_cycle * (cycle_x + cycle_y)
                              + self.lambda_identity * self.lambda_cycle * (identity_y + identity_x))

            pooled_y = self.pool_Y(tf.stop_gradient(fake_y))
            pooled_x = self.pool_X(tf.stop_gradient(fake_x))
            disc_Y_loss = 0.5 * (_lsgan(self.disc_Y(real_y, training=True), 1.0)
                                 + _lsgan(self.disc_Y(pooled_y, training=True), 0.0))
            disc_X_loss = 0.5 * (_lsgan(self.disc_X(real_x, training=True), 1.0)
                                 + _lsgan(self.disc_X(pooled_x, training=True), 0.0))

        grads_G = tape.gradient(total_gen_loss, self.gen_G.trainable_variables)
        grads_F = tape.gradient(total_gen_loss, self.gen_F.trainable_variables)
        grads_DY = tape.gradient(disc_Y_loss, self.disc_Y.trainable_variables)
        grads_DX = tape.gradient(disc_X_loss, self.disc_X.trainable_variables)
        del tape
        self.gen_G_optimizer.apply_gradients(zip(grads_G, self.gen_G.trainable_variables))
        self.gen_F_optimizer.apply_gradients(zip(grads_F, self.gen_F.trainable_variables))
        self.disc_Y_optimizer.apply_gradients(zip(grads_DY, self.disc_Y.trainable_variables))
        self.disc_X_optimizer.apply_gradients(zip(grads_DX, self.disc_X.trainable_variables))
        # named as sketchlab's trackers, so the two can be compared
        return {"d_sketch": disc_Y_loss, "d_photo": disc_X_loss, "g_i2s": gen_G_loss, "g_s2i": gen_F_loss,
                "cycle_photo": cycle_x, "cycle_sketch": cycle_y, "identity_sketch": identity_y,
                "identity_photo": identity_x, "g_loss": total_gen_loss}


class BaselinePix2Pix(keras.Model):
    """pix2pix, TF-tutorial style, with the authors' update order."""

    def __init__(self, generator, discriminator, lambda_l1: float = 100.0, **kwargs):
        super().__init__(**kwargs)
        self.generator, self.discriminator, self.lambda_l1 = generator, discriminator, lambda_l1

    def call(self, x, training=False):
        return self.generator(x, training=training)

    def compile(self, generator_optimizer, discriminator_optimizer, **kwargs):
        super().compile(jit_compile=False, **kwargs)
        self.generator_optimizer, self.discriminator_optimizer = generator_optimizer, discriminator_optimizer

    def network_optimizers(self) -> dict:
        """{sketchlab's name of a network: (the network, its optimizer)}."""
        return {"generator": (self.generator, self.generator_optimizer),
                "discriminator": (self.discriminator, self.discriminator_optimizer)}

    def pools(self) -> list[HistoryPool]:
        return []

    def train_step(self, batch_data):
        input_image, target = batch_data[:2]
        with tf.GradientTape(persistent=True) as tape:
            gen_output = self.generator(input_image, training=True)
            disc_real_output = self.discriminator([input_image, target], training=True)
            disc_generated_output = self.discriminator([input_image, gen_output], training=True)
            disc_loss = 0.5 * (_bce(disc_real_output, 1.0) + _bce(disc_generated_output, 0.0))
        discriminator_gradients = tape.gradient(disc_loss, self.discriminator.trainable_variables)
        self.discriminator_optimizer.apply_gradients(
            zip(discriminator_gradients, self.discriminator.trainable_variables))
        with tape:  # the generator's loss through the updated discriminator
            gan_loss = _bce(self.discriminator([input_image, gen_output], training=True), 1.0)
            l1_loss = _l1(target, gen_output)
            gen_total_loss = gan_loss + self.lambda_l1 * l1_loss
        generator_gradients = tape.gradient(gen_total_loss, self.generator.trainable_variables)
        del tape
        self.generator_optimizer.apply_gradients(zip(generator_gradients, self.generator.trainable_variables))
        return {"d_loss": disc_loss, "g_loss": gen_total_loss, "g_gan": gan_loss, "g_l1": l1_loss}
