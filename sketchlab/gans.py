"""Adversarial models: ``keras.Model`` subclasses that own their networks,
one optimizer per side, and the update in ``train_step``.

- :class:`GAN`: the unconditional DCGAN (Radford et al. 2016): a generator
  draws sketches from noise, a discriminator tells them from real ones.
- :class:`Pix2Pix`: the conditional GAN of Isola et al. 2017: a U-Net turns a
  photo into a sketch, a PatchGAN judges (photo, sketch) pairs, and an L1
  term keeps the sketch close to the artist's.
- :class:`CycleGAN`: Zhu et al. 2017: two generators (photo -> sketch and
  back) and two discriminators learn from unpaired photos and sketches,
  held together by the cycle-consistency loss.

Each follows Keras' guide to overriding ``train_step``: ``compile`` takes
the optimizers, ``train_step`` records the forward passes on a
``tf.GradientTape`` and applies the gradients, ``keras.metrics.Mean``
trackers listed by ``metrics`` give the progress bar epoch means, ``fit``
is the loop, and ``test_step`` computes the losses without updating.

Two lines of every step are there for training on several GPUs
(``tf.distribute``): each replica differentiates its *share* of the loss,
``loss / replicas``, because the optimizer sums the replicas' gradients; on
one device ``replicas`` is 1. CycleGAN's step also scales its losses with
``optimizer.scale_loss`` for mixed precision (a ``LossScaleOptimizer``
multiplies them by its loss scale; other optimizers return them as they
are). docs/performance.md ("More than one GPU") explains both, and the
GAN's noise and CycleGAN's image pool, which are drawn for the global batch.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from .metrics import LUMA_601
from .optimizers import FusedAdam

PACKAGE = "sketchlab"
LEARNING_RATE = 2e-4  # Adam(2e-4, beta_1=0.5): DCGAN, pix2pix and CycleGAN
BETA_1 = 0.5
LAMBDA_L1 = 100.0  # pix2pix's weight of the L1 term
LAMBDA_SSIM = 0.0  # pix2pix's weight of the SSIM term: none in the paper
LAMBDA_CYCLE = 10.0  # CycleGAN's weight of each cycle-consistency term
LAMBDA_IDENTITY = 0.5  # the identity terms' weight, as a fraction of LAMBDA_CYCLE
POOL_SIZE = 50  # generated images kept for CycleGAN's discriminators


def adam(learning_rate: float | keras.optimizers.schedules.LearningRateSchedule = LEARNING_RATE) -> keras.optimizers.Optimizer:
    """Adam with the GAN papers' settings: beta_1 = 0.5. A
    :class:`~sketchlab.optimizers.FusedAdam` (Keras' update in one kernel per
    variable); ``keras.optimizers.Adam`` here trains the same."""
    return FusedAdam(learning_rate, beta_1=BETA_1)


@keras.saving.register_keras_serializable(package=PACKAGE)
class LinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """A constant learning rate for the first ``constant_steps``, then linear
    decay to zero at ``total_steps`` (pix2pix and CycleGAN: constant for the
    first half of training, decayed in the second).

    Example:
        >>> schedule = LinearDecay(2e-4, total_steps=100, constant_steps=50)
        >>> [round(float(schedule(s)), 6) for s in (0, 50, 75, 100)]
        [0.0002, 0.0002, 0.0001, 0.0]
    """

    def __init__(self, initial_learning_rate: float, total_steps: int, constant_steps: int | None = None):
        self.initial_learning_rate = float(initial_learning_rate)
        self.total_steps = int(total_steps)
        self.constant_steps = int(total_steps // 2 if constant_steps is None else constant_steps)

    def __call__(self, step):
        step = keras.ops.cast(step, "float32")
        decay_steps = max(self.total_steps - self.constant_steps, 1)
        fraction = keras.ops.clip((step - self.constant_steps) / decay_steps, 0.0, 1.0)
        return self.initial_learning_rate * (1.0 - fraction)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "total_steps": self.total_steps,
                "constant_steps": self.constant_steps}


# The losses, each a mean over every logit or pixel of the batch.

def bce(logits: tf.Tensor, target: float) -> tf.Tensor:
    """Binary cross-entropy of ``logits`` against ``target`` (1: real, 0: fake)."""
    logits = tf.cast(logits, tf.float32)
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.fill(tf.shape(logits), target),
                                                                  logits=logits))


def least_squares(logits: tf.Tensor, target: float) -> tf.Tensor:
    """The least-squares GAN loss (Mao et al. 2017): mean of ``(logits - target)^2``."""
    return tf.reduce_mean(tf.square(tf.cast(logits, tf.float32) - target))


def l1(a: tf.Tensor, b: tf.Tensor) -> tf.Tensor:
    """Mean absolute difference of two batches of images."""
    return tf.reduce_mean(tf.abs(tf.cast(a, tf.float32) - tf.cast(b, tf.float32)))


def ssim_loss(a: tf.Tensor, b: tf.Tensor) -> tf.Tensor:
    """``1 - SSIM`` of two batches of images in [-1, 1], 0 when they are
    identical: SSIM as the course scores it (Gaussian window 11x11, sigma
    1.5), on the images moved to [0, 1]. It compares local means, contrasts
    and correlations, so it asks for the artist's structure where L1 asks
    only for the grey levels."""
    a, b = (tf.cast(x, tf.float32) * 0.5 + 0.5 for x in (a, b))
    return 1.0 - tf.reduce_mean(tf.image.ssim(a, b, max_val=1.0, filter_size=11, filter_sigma=1.5))


def accuracy(logits: tf.Tensor, target: float) -> tf.Tensor:
    """The share of ``logits`` a discriminator gets right: above 0 for real (1), below for fake (0)."""
    return tf.reduce_mean(tf.cast(logits > 0 if target else logits < 0, tf.float32))


def to_channels(images: tf.Tensor, channels: int) -> tf.Tensor:
    """``images`` with ``channels`` channels: grey repeated to RGB, or RGB
    to grey (ITU-R 601 luma); unchanged if they already match. Works in
    [-1, 1] as in [0, 1] (the luma weights sum to 1)."""
    have = images.shape[-1]
    if have == channels:
        return images
    if have == 1:
        return tf.repeat(images, channels, axis=-1)
    if have == 3 and channels == 1:
        return tf.reduce_sum(images * tf.constant(LUMA_601, images.dtype), axis=-1, keepdims=True)
    raise ValueError(f"cannot turn {have}-channel images into {channels}-channel ones")


def _global_rows(count) -> tuple[tf.Tensor, tf.Tensor] | None:
    """``(total, first)`` when a step runs on several replicas: the size of
    the global batch and the first row of this replica's ``count`` in it
    (the replicas' shares follow one another in replica order); None on one
    device or outside a replica (e.g. a callback's call)."""
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return None
    sizes = context.all_gather(tf.reshape(tf.cast(count, tf.int32), [1]), axis=0)
    return tf.reduce_sum(sizes), tf.reduce_sum(sizes[:context.replica_id_in_sync_group])


class AdversarialModel(keras.Model):
    """What the three models share that is not their algorithm: the two
    optimizers (``g_optimizer`` for the generator side, ``d_optimizer`` for
    the discriminator side), the loss trackers, and saving.

    A subclass names its networks in ``NETWORKS``, which of them each
    optimizer updates in ``UPDATES``, and its trackers in ``TRACKED``.
    """

    NETWORKS: tuple[str, ...] = ("generator", "discriminator")
    UPDATES: dict[str, tuple[str, ...]] = {"g_optimizer": ("generator",), "d_optimizer": ("discriminator",)}
    TRACKED: tuple[str, ...] = ()

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.trackers = {name: keras.metrics.Mean(name=name) for name in self.TRACKED}

    def call(self, inputs, training: bool = False):
        """The first network of ``NETWORKS`` (the generator; CycleGAN's ``i2s``) on ``inputs``."""
        return getattr(self, self.NETWORKS[0])(inputs, training=training)

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        # listed here, Keras resets them at the start of every epoch, so the
        # progress bar and the history show epoch means
        return list(self.trackers.values())

    def track(self, logs: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """Add this step's ``logs`` to their trackers and return the trackers' means so far."""
        for name, value in logs.items():
            self.trackers[name].update_state(value)
        return {name: self.trackers[name].result() for name in logs}

    def compile(self, g_optimizer: keras.optimizers.Optimizer | None = None,
                d_optimizer: keras.optimizers.Optimizer | None = None, **kwargs) -> None:
        """Set the optimizer of each side (default: :func:`adam`)."""
        super().compile(**kwargs)
        self.g_optimizer = g_optimizer or adam()
        self.d_optimizer = d_optimizer or adam()
        self.build_optimizers()

    def build_optimizers(self) -> None:
        """Create each optimizer's state for its networks' weights now, not
        at the first step: so that saved optimizer state can be loaded, and
        so that under a ``tf.distribute`` strategy the state is created in
        its scope, not inside a replica's step (``compile`` calls this)."""
        for optimizer, networks in self.UPDATES.items():
            if not getattr(self, optimizer).built:
                getattr(self, optimizer).build([w for n in networks for w in getattr(self, n).trainable_weights])

    def get_compile_config(self) -> dict | None:
        if not hasattr(self, "g_optimizer"):
            return None
        return {name: keras.saving.serialize_keras_object(getattr(self, name)) for name in self.UPDATES}

    def compile_from_config(self, config: dict) -> None:
        """Compile with the optimizers saved in a ``.keras`` file (their settings, not their state)."""
        self.compile(**{name: keras.saving.deserialize_keras_object(config[name]) for name in self.UPDATES})

    def get_config(self) -> dict:
        return {**{name: keras.saving.serialize_keras_object(getattr(self, name)) for name in self.NETWORKS},
                "name": self.name}

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        for name in cls.NETWORKS:
            config[name] = keras.saving.deserialize_keras_object(config[name])
        return cls(**config)


@keras.saving.register_keras_serializable(package=PACKAGE)
class GAN(AdversarialModel):
    """An unconditional GAN (DCGAN, Radford et al. 2016): ``generator`` maps
    noise z ~ N(0, I) to images, ``discriminator`` maps images to one logit.

    Each ``train_step`` on a batch of real images:

    1. draws z, makes fake images, and updates the discriminator on
       ``d_loss = BCE(D(real), 1) + BCE(D(fake), 0)``;
    2. draws new z and updates the generator on ``g_loss = BCE(D(G(z)), 1)``
       (the non-saturating loss: the generator maximises log D(G(z))).

    Trackers: ``d_loss``, ``g_loss``, ``d_real_acc`` and ``d_fake_acc`` (the
    share of real and fake images D gets right) and ``g_grad_norm`` (the
    global norm of the generator's gradients: near 0 means it has stopped
    learning).

    Args:
        generator: z (B, latent_dim) -> images.
        discriminator: images -> (B, 1) logits.
        latent_dim: length of z; default: read from the generator's input.
        seed: seeds the noise (a ``keras.random.SeedGenerator``).

    Example:
        >>> from sketchlab.models import dcgan_generator, dcgan_discriminator
        >>> gan = GAN(dcgan_generator(16, filters=8), dcgan_discriminator(filters=8), seed=0)
        >>> gan.compile()
        >>> tuple(gan.sample(2).shape)
        (2, 64, 64, 1)
    """

    TRACKED = ("d_loss", "g_loss", "d_real_acc", "d_fake_acc", "g_grad_norm")

    def __init__(self, generator: keras.Model, discriminator: keras.Model, latent_dim: int | None = None,
                 seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim or generator.input_shape[-1])
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.built = True  # the networks are built; the model adds no weights of its own

    def noise(self, count) -> tf.Tensor:
        """``count`` noise vectors z ~ N(0, I), (count, latent_dim).

        Under a ``tf.distribute`` strategy every replica holds the same seed
        state and would draw the same z; so each draws the noise of the whole
        global batch (what one device would draw for it) and keeps its own rows.
        """
        rows = _global_rows(count)
        if rows is None:
            return keras.random.normal((count, self.latent_dim), seed=self.seed_generator)
        total, first = rows
        return keras.random.normal((total, self.latent_dim), seed=self.seed_generator)[first:first + count]

    def sample(self, count: int) -> tf.Tensor:
        """``count`` images drawn from fresh noise (inference mode)."""
        return self.generator(self.noise(count), training=False)

    def train_step(self, data):
        real = data[0] if isinstance(data, tuple) else data
        batch = tf.shape(real)[0]
        replicas = self.distribute_strategy.num_replicas_in_sync  # GPUs sharing the batch (1 on one device)

        # 1. the discriminator: real images -> 1, generated images -> 0
        with tf.GradientTape() as tape:
            fake = self.generator(self.noise(batch), training=True)
            real_logits = self.discriminator(real, training=True)
            fake_logits = self.discriminator(fake, training=True)
            d_loss = bce(real_logits, 1.0) + bce(fake_logits, 0.0)
            share = d_loss / replicas  # the optimizer sums the replicas' gradients
        grads = tape.gradient(share, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))

        # 2. the generator: new fakes that the updated D should call real
        with tf.GradientTape() as tape:
            fake = self.generator(self.noise(batch), training=True)
            g_loss = bce(self.discriminator(fake, training=True), 1.0)
            share = g_loss / replicas
        grads = tape.gradient(share, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))

        logs = {"d_loss": d_loss, "g_loss": g_loss, "d_real_acc": accuracy(real_logits, 1.0),
                "d_fake_acc": accuracy(fake_logits, 0.0),
                "g_grad_norm": tf.linalg.global_norm(grads) * replicas}  # of g_loss, not of its share
        return self.track(logs)

    def test_step(self, data):
        real = data[0] if isinstance(data, tuple) else data
        fake = self.generator(self.noise(tf.shape(real)[0]), training=False)
        real_logits = self.discriminator(real, training=False)
        fake_logits = self.discriminator(fake, training=False)
        logs = {"d_loss": bce(real_logits, 1.0) + bce(fake_logits, 0.0), "g_loss": bce(fake_logits, 1.0),
                "d_real_acc": accuracy(real_logits, 1.0), "d_fake_acc": accuracy(fake_logits, 0.0)}
        return self.track(logs)

    def get_config(self) -> dict:
        return {**super().get_config(), "latent_dim": self.latent_dim, "seed": self.seed}


@keras.saving.register_keras_serializable(package=PACKAGE)
class Pix2Pix(AdversarialModel):
    """The conditional GAN of pix2pix (Isola et al., "Image-to-Image
    Translation with Conditional Adversarial Networks", CVPR 2017).

    ``generator`` maps a photo to a sketch (the U-Net of method 1);
    ``discriminator`` maps ``[photo, sketch]`` to PatchGAN logits. Each
    ``train_step`` on a batch of (photo, sketch) pairs, in the order of the
    authors' code:

    1. ``fake = G(photo)``;
    2. the discriminator is updated on
       ``d_loss = 0.5 * (BCE(D(photo, sketch), 1) + BCE(D(photo, fake), 0))``
       (halved "to slow down the rate at which D learns relative to G");
    3. the generator is updated on
       ``g_loss = g_gan + lambda_l1 * g_l1 + lambda_ssim * g_ssim`` with
       ``g_gan = BCE(D(photo, fake), 1)`` (through the updated D),
       ``g_l1 = mean|fake - sketch|`` and ``g_ssim = 1 - SSIM(fake, sketch)``
       (:func:`ssim_loss`; its weight is 0 in the paper).

    Trackers: ``d_loss``, ``d_real_acc``, ``d_fake_acc``, ``g_loss``,
    ``g_gan``, ``g_l1`` and ``g_ssim``; ``test_step`` reports the same on
    held-out pairs (``val_g_l1`` is the held-out L1).

    Args:
        generator: photo (B, N, N, 3) -> sketch (B, N, N, 1), e.g.
            :func:`sketchlab.models.unet`.
        discriminator: e.g. :func:`sketchlab.models.patchgan`.
        lambda_l1: weight of the L1 term (the paper: 100).
        lambda_ssim: weight of the SSIM term (the paper: 0, none).
    """

    TRACKED = ("d_loss", "d_real_acc", "d_fake_acc", "g_loss", "g_gan", "g_l1", "g_ssim")

    def __init__(self, generator: keras.Model, discriminator: keras.Model, lambda_l1: float = LAMBDA_L1,
                 lambda_ssim: float = LAMBDA_SSIM, **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.lambda_l1 = float(lambda_l1)
        self.lambda_ssim = float(lambda_ssim)
        self.built = True  # the networks are built; the model adds no weights of its own

    def train_step(self, data):
        photo, sketch = data[:2]  # fit on a dataset gives (photo, sketch); train_on_batch adds weights
        replicas = self.distribute_strategy.num_replicas_in_sync  # GPUs sharing the batch (1 on one device)
        with tf.GradientTape() as g_tape:
            fake = self.generator(photo, training=True)

            # 1. the discriminator, on (photo, sketch) pairs: the artist's -> 1, G's -> 0
            with g_tape.stop_recording(), tf.GradientTape() as d_tape:
                real_logits = self.discriminator([photo, sketch], training=True)
                fake_logits = self.discriminator([photo, tf.stop_gradient(fake)], training=True)
                d_loss = 0.5 * (bce(real_logits, 1.0) + bce(fake_logits, 0.0))
                share = d_loss / replicas  # the optimizer sums the replicas' gradients
            grads = d_tape.gradient(share, self.discriminator.trainable_weights)
            self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))

            # 2. the generator: fool the updated D, and stay close to the artist's sketch
            g_gan = bce(self.discriminator([photo, fake], training=True), 1.0)
            g_l1 = l1(fake, sketch)
            g_ssim = ssim_loss(fake, sketch)
            g_loss = g_gan + self.lambda_l1 * g_l1 + self.lambda_ssim * g_ssim
            share = g_loss / replicas
        grads = g_tape.gradient(share, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))

        logs = {"d_loss": d_loss, "d_real_acc": accuracy(real_logits, 1.0), "d_fake_acc": accuracy(fake_logits, 0.0),
                "g_loss": g_loss, "g_gan": g_gan, "g_l1": g_l1, "g_ssim": g_ssim}
        return self.track(logs)

    def test_step(self, data):
        photo, sketch = data[:2]
        fake = self.generator(photo, training=False)
        real_logits = self.discriminator([photo, sketch], training=False)
        fake_logits = self.discriminator([photo, fake], training=False)
        g_gan, g_l1, g_ssim = bce(fake_logits, 1.0), l1(fake, sketch), ssim_loss(fake, sketch)
        logs = {"d_loss": 0.5 * (bce(real_logits, 1.0) + bce(fake_logits, 0.0)),
                "d_real_acc": accuracy(real_logits, 1.0), "d_fake_acc": accuracy(fake_logits, 0.0),
                "g_loss": g_gan + self.lambda_l1 * g_l1 + self.lambda_ssim * g_ssim,
                "g_gan": g_gan, "g_l1": g_l1, "g_ssim": g_ssim}
        return self.track(logs)

    def get_config(self) -> dict:
        return {**super().get_config(), "lambda_l1": self.lambda_l1, "lambda_ssim": self.lambda_ssim}


@keras.saving.register_keras_serializable(package=PACKAGE)
class ImagePool(keras.layers.Layer):
    """A history of generated images for a discriminator (Shrivastava et al.
    2017, used by CycleGAN with 50 images): the discriminator is shown
    either the newest fakes or, half of the time once the pool is full, one
    generated a while ago, so it does not chase the generator's latest move.

    For each image of a batch: while the pool is filling, the image is stored
    and returned; after that, with probability 1/2 a random stored image is
    returned and replaced by the new one, else the new one is returned. The
    images, the fill count and the random draws are variables of the layer,
    so the pool is saved with the model and a resumed run continues it
    exactly.

    Under a ``tf.distribute`` strategy the pool is one for the global batch:
    each replica gathers every replica's images (``all_gather``), runs the
    pool on all of them as one device would, and returns its own share. So
    every replica's copy of the pool stays the same (the copy saved is the
    one all of them hold), and the images a discriminator sees, and the pool
    after the step, are those of one device on the global batch.

    Args:
        size: images kept (0: the pool passes batches through).
        image_shape: (H, W, C) of one image.
        seed: seeds the draws.

    Example:
        >>> pool = ImagePool(2, (4, 4, 1), seed=0)
        >>> [float(pool(keras.ops.full((1, 4, 4, 1), v))[0, 0, 0, 0]) for v in (1.0, 2.0)]
        [1.0, 2.0]
    """

    def __init__(self, size: int = POOL_SIZE, image_shape: tuple[int, int, int] = (256, 256, 1), seed: int = 0,
                 **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.size, self.image_shape, self.seed = int(size), tuple(int(d) for d in image_shape), int(seed)
        self.images = self.add_weight(shape=(max(self.size, 1), *self.image_shape), initializer="zeros",
                                      trainable=False, name="images")
        self.count = self.add_weight(shape=(), initializer="zeros", dtype="int32", trainable=False, name="count")
        self.draws = self.add_weight(shape=(), initializer="zeros", dtype="int32", trainable=False, name="draws")
        self.built = True

    def call(self, images: tf.Tensor) -> tf.Tensor:
        images = tf.cast(images, tf.float32)
        if self.size == 0:
            return images
        rows = _global_rows(tf.shape(images)[0])
        if rows is None:
            return self._pick(images)
        _, first = rows
        everything = tf.distribute.get_replica_context().all_gather(images, axis=0)
        return self._pick(everything)[first:first + tf.shape(images)[0]]

    def _pick(self, images: tf.Tensor) -> tf.Tensor:
        """The pool's answer to ``images``, one image after the other."""
        n = tf.shape(images)[0]

        def one(i, picked):
            seed = tf.stack([tf.constant(self.seed, tf.int32), tf.convert_to_tensor(self.draws)])
            coin, slot_draw = tf.unstack(tf.random.stateless_uniform([2], seed=seed))
            count = tf.convert_to_tensor(self.count)
            filling = count < self.size
            swap = tf.logical_and(tf.logical_not(filling), coin > 0.5)
            slot = tf.where(filling, count, tf.cast(slot_draw * self.size, tf.int32))
            stored = tf.convert_to_tensor(self.images)
            # tf.gather, not stored[slot]: XLA takes a slicing index as a
            # compile-time constant, and this one changes every step, so the
            # jit-compiled train step was recompiled at every call
            old = tf.gather(stored, slot)
            image = images[i]
            self.images.assign(tf.tensor_scatter_nd_update(
                stored, [[slot]], [tf.where(tf.logical_or(filling, swap), image, old)]))
            self.count.assign(tf.minimum(count + 1, self.size))
            self.draws.assign_add(1)
            return i + 1, picked.write(i, tf.where(swap, old, image))

        _, picked = tf.while_loop(lambda i, _: i < n, one, (tf.constant(0), tf.TensorArray(tf.float32, size=n)))
        return tf.reshape(picked.stack(), tf.shape(images))

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size, "image_shape": self.image_shape, "seed": self.seed}




@keras.saving.register_keras_serializable(package=PACKAGE)
class CycleGAN(AdversarialModel):
    """CycleGAN (Zhu et al., "Unpaired Image-to-Image Translation using
    Cycle-Consistent Adversarial Networks", ICCV 2017): two generators,
    ``i2s`` (photo -> sketch) and ``s2i`` (sketch -> photo), and two
    discriminators, ``d_sketch`` and ``d_photo``, trained on unpaired
    batches: the photos and the sketches of a batch are of different people.

    The losses (least-squares GAN, as in the paper; ``|.|`` the mean absolute
    difference):

    - adversarial: ``g_i2s = (D_sketch(i2s(photo)) - 1)^2`` and
      ``g_s2i = (D_photo(s2i(sketch)) - 1)^2``, means over the patches;
    - cycle consistency: ``cycle_photo = |s2i(i2s(photo)) - photo|`` and
      ``cycle_sketch = |i2s(s2i(sketch)) - sketch|``;
    - identity: ``identity_sketch = |i2s(sketch) - sketch|`` and
      ``identity_photo = |s2i(photo) - photo|`` (the sketch shown to ``i2s``
      as grey RGB, the photo shown to ``s2i`` in grey: a generator handed an
      image of its own output domain should change little);
    - ``g_loss = g_i2s + g_s2i + lambda_cycle * (cycle_photo + cycle_sketch)
      + lambda_identity * lambda_cycle * (identity_sketch + identity_photo)``;
    - ``d_sketch = 0.5 * ((D_sketch(sketch) - 1)^2 + D_sketch(pooled fake)^2)``,
      ``d_photo`` likewise; the fakes come through an :class:`ImagePool`.

    ``g_loss`` is one sum, so its gradients reach both generators from
    every term: ``cycle_photo`` trains ``i2s`` (which drew the sketch) as
    well as ``s2i`` (which drew it back). As in the authors' code, one
    optimizer updates both generators on ``g_loss`` (the discriminators held
    fixed), then one updates both discriminators on the pooled fakes of the
    same step. Adam keeps its state per weight, so this is the same update
    as one Adam per network.

    Trackers: every term above; ``test_step`` on paired held-out data
    reports the two cycle terms and the paired L1 of each direction,
    ``l1_i2s = |i2s(photo) - sketch|`` and ``l1_s2i = |s2i(sketch) - photo|``.

    Args:
        i2s, s2i: the generators, e.g. :func:`sketchlab.models.resnet_generator`
            with (3 in, 1 out) and (1 in, 3 out) channels.
        d_sketch, d_photo: unconditional discriminators of each domain, e.g.
            :func:`sketchlab.models.patchgan` with ``in_channels=0``.
        lambda_cycle: weight of each cycle term (the paper: 10).
        lambda_identity: weight of the identity terms relative to
            ``lambda_cycle`` (the paper: 0.5).
        pool_size: generated images kept for each discriminator (the paper: 50).
        seed: seeds the pools' draws.
    """

    NETWORKS = ("i2s", "s2i", "d_sketch", "d_photo")
    UPDATES = {"g_optimizer": ("i2s", "s2i"), "d_optimizer": ("d_sketch", "d_photo")}
    TRACKED = ("d_sketch", "d_photo", "g_i2s", "g_s2i", "cycle_photo", "cycle_sketch", "identity_sketch",
               "identity_photo", "g_loss", "l1_i2s", "l1_s2i")

    def __init__(self, i2s: keras.Model, s2i: keras.Model, d_sketch: keras.Model, d_photo: keras.Model,
                 lambda_cycle: float = LAMBDA_CYCLE, lambda_identity: float = LAMBDA_IDENTITY,
                 pool_size: int = POOL_SIZE, seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.i2s, self.s2i, self.d_sketch, self.d_photo = i2s, s2i, d_sketch, d_photo
        self.lambda_cycle, self.lambda_identity = float(lambda_cycle), float(lambda_identity)
        self.pool_size, self.seed = int(pool_size), int(seed)
        self.sketch_pool = ImagePool(pool_size, i2s.output_shape[1:], seed=seed, name="sketch_pool")
        self.photo_pool = ImagePool(pool_size, s2i.output_shape[1:], seed=seed + 1, name="photo_pool")
        self.built = True

    def train_step(self, data):
        photo, sketch = data[:2]  # fit on a dataset gives (photo, sketch); train_on_batch adds weights
        replicas = self.distribute_strategy.num_replicas_in_sync  # GPUs sharing the batch (1 on one device)

        # 1. the generators, on one loss (the discriminators are not updated here)
        with tf.GradientTape() as tape:
            fake_sketch = self.i2s(photo, training=True)
            fake_photo = self.s2i(sketch, training=True)
            # adversarial: each discriminator should call the other domain's fakes real
            g_i2s = least_squares(self.d_sketch(fake_sketch, training=True), 1.0)
            g_s2i = least_squares(self.d_photo(fake_photo, training=True), 1.0)
            # cycle consistency: there and back again gives the image we started from
            cycle_photo = l1(self.s2i(fake_sketch, training=True), photo)
            cycle_sketch = l1(self.i2s(fake_photo, training=True), sketch)
            # identity: an image of a generator's own output domain comes out unchanged
            identity_sketch = l1(self.i2s(to_channels(sketch, 3), training=True), sketch)
            identity_photo = l1(self.s2i(to_channels(photo, 1), training=True), photo)
            g_loss = (g_i2s + g_s2i + self.lambda_cycle * (cycle_photo + cycle_sketch)
                      + self.lambda_identity * self.lambda_cycle * (identity_sketch + identity_photo))
            # this replica's share, scaled up for mixed precision (unchanged in float32)
            share = self.g_optimizer.scale_loss(g_loss / replicas)
        weights = self.i2s.trainable_weights + self.s2i.trainable_weights
        grads = tape.gradient(share, weights)
        self.g_optimizer.apply_gradients(zip(grads, weights))

        # 2. the discriminators: real images -> 1, fakes from the history pools -> 0
        pooled_sketch = self.sketch_pool(fake_sketch)
        pooled_photo = self.photo_pool(fake_photo)
        with tf.GradientTape() as tape:
            d_sketch = 0.5 * (least_squares(self.d_sketch(sketch, training=True), 1.0)
                              + least_squares(self.d_sketch(pooled_sketch, training=True), 0.0))
            d_photo = 0.5 * (least_squares(self.d_photo(photo, training=True), 1.0)
                             + least_squares(self.d_photo(pooled_photo, training=True), 0.0))
            # the two share no weights: the gradients of the sum are each one's own
            share = self.d_optimizer.scale_loss((d_sketch + d_photo) / replicas)
        weights = self.d_sketch.trainable_weights + self.d_photo.trainable_weights
        grads = tape.gradient(share, weights)
        self.d_optimizer.apply_gradients(zip(grads, weights))

        logs = {"d_sketch": d_sketch, "d_photo": d_photo, "g_i2s": g_i2s, "g_s2i": g_s2i,
                "cycle_photo": cycle_photo, "cycle_sketch": cycle_sketch, "identity_sketch": identity_sketch,
                "identity_photo": identity_photo, "g_loss": g_loss}
        return self.track(logs)

    def test_step(self, data):
        photo, sketch = data[:2]
        fake_sketch = self.i2s(photo, training=False)
        fake_photo = self.s2i(sketch, training=False)
        logs = {"cycle_photo": l1(self.s2i(fake_sketch, training=False), photo),
                "cycle_sketch": l1(self.i2s(fake_photo, training=False), sketch),
                "l1_i2s": l1(fake_sketch, sketch), "l1_s2i": l1(fake_photo, photo)}
        return self.track(logs)

    def get_config(self) -> dict:
        return {**super().get_config(), "lambda_cycle": self.lambda_cycle, "lambda_identity": self.lambda_identity,
                "pool_size": self.pool_size, "seed": self.seed}
