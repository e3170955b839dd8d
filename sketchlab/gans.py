"""Adversarial models: ``keras.Model`` subclasses that own two networks,
their losses, one optimizer per network, and the update in ``train_step``.

- :class:`GAN`: the unconditional DCGAN (Radford et al. 2016): a generator
  draws sketches from noise, a discriminator tells them from real ones.
- :class:`Pix2Pix`: the conditional GAN of Isola et al. 2017: a U-Net turns a
  photo into a sketch, a PatchGAN judges (photo, sketch) pairs, and an L1
  term keeps the sketch close to the artist's.
- :class:`CycleGAN`: Zhu et al. 2017: two generators (photo -> sketch and
  back) and two discriminators learn from unpaired photos and sketches,
  held together by the cycle-consistency loss.

Both follow Keras' guide to overriding ``train_step``: ``compile`` takes the
optimizers, ``train_step`` records the forward passes on a
``tf.GradientTape``, ``keras.metrics.Mean`` trackers listed by the
``metrics`` property give the progress bar epoch means, and ``fit`` is the
training loop. ``test_step`` computes the same losses without updating, so
``validation_data`` gives held-out losses per epoch.

The losses, with D(.) the discriminator's logit, sigma the sigmoid and BCE
the binary cross-entropy:

- discriminator: ``d_loss = BCE(1, D(real)) + BCE(0, D(fake))`` (pix2pix
  halves it, "to slow down the rate at which D learns relative to G");
- generator, non-saturating: ``g_gan = BCE(1, D(fake))``; pix2pix adds
  ``lambda_l1 * mean|sketch - G(photo)|``.

CycleGAN uses least squares instead of BCE and adds its cycle and identity
terms (see :class:`CycleGAN`).

Every model trains under a ``tf.distribute`` strategy (``MirroredStrategy``
for several GPUs): build and compile it inside ``strategy.scope()``, then
``fit`` splits each global batch among the replicas. A step then updates the networks as one device would on the same
global batch: each replica's mean loss is divided by the number of replicas
before its gradients are taken, because the optimizer sums the replicas'
gradients (:func:`_replica_share`); the trackers report the plain means.
The GAN's noise and CycleGAN's image pool are drawn for the global batch,
so the replicas see different noise and share one pool (:meth:`GAN.noise`,
:class:`ImagePool`). Two things stay per replica, as Keras makes them:
BatchNorm normalises each replica's share with its own statistics (one
image per replica at the papers' batch size of 1, as on one GPU) and
updates that replica's copy of the moving statistics (the first replica's
are saved), and ``Dropout`` draws the same masks on every replica.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from .optimizers import FusedAdam

PACKAGE = "sketchlab"
LEARNING_RATE = 2e-4  # Adam(2e-4, beta_1=0.5): DCGAN, pix2pix and CycleGAN
BETA_1 = 0.5
LAMBDA_L1 = 100.0  # pix2pix's weight of the L1 term


def adam(learning_rate: float | keras.optimizers.schedules.LearningRateSchedule = LEARNING_RATE) -> keras.optimizers.Optimizer:
    """Adam with the GAN papers' settings: beta_1 = 0.5 (a :class:`~sketchlab.optimizers.FusedAdam`)."""
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


def _replicas() -> int:
    """The number of replicas a train step runs on: N under a ``tf.distribute`` strategy, else 1."""
    return tf.distribute.get_strategy().num_replicas_in_sync


def _replica_share(loss: tf.Tensor) -> tf.Tensor:
    """``loss``, a mean over this replica's examples, as this replica's
    share of the mean over the global batch: what every ``train_step``
    differentiates (computed on the tape). Without a strategy: ``loss``.

    Under a ``tf.distribute`` strategy with N replicas, each replica sees
    1/N of the global batch, and ``optimizer.apply_gradients`` *sums* the
    replicas' gradients (Keras' TensorFlow optimizer all-reduces them with
    SUM: ``_all_reduce_sum_gradients`` in
    keras/src/backend/tensorflow/optimizer.py). Each replica's mean loss must
    therefore be divided by N, or the step is N times too large; Keras' own
    ``train_step`` does the same (``scale_loss_for_distribution`` in
    keras/src/losses/loss.py). The trackers get the undivided loss.
    """
    replicas = _replicas()
    return loss if replicas == 1 else loss / replicas


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


# the reductions with which a keras.losses.Loss divides its mean by the
# number of replicas itself (keras/src/losses/loss.py, reduce_values)
_SCALED_BY_KERAS = ("sum_over_batch_size", "mean", "mean_with_sample_weight")


def _trackers(*names: str) -> dict[str, keras.metrics.Mean]:
    return {name: keras.metrics.Mean(name=name) for name in names}


def _accuracy(logits: tf.Tensor, real: bool) -> tf.Tensor:
    """The share of logits on the right side of 0: D's accuracy on a batch."""
    return tf.reduce_mean(tf.cast(logits > 0 if real else logits < 0, tf.float32))


class _Adversarial(keras.Model):
    """What every model here shares: loss trackers listed by ``metrics``,
    the adversarial loss, and optimizers saved with the model."""

    TRACKED: tuple[str, ...] = ()
    OPTIMIZERS: dict[str, str] = {}  # optimizer attribute -> the network attribute it updates

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.trackers = _trackers(*self.TRACKED)

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        # listed here, Keras resets them at the start of every epoch, so the
        # progress bar and the history show epoch means
        return list(self.trackers.values())

    def _report(self, **values: tf.Tensor) -> dict[str, tf.Tensor]:
        for name, value in values.items():
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def _adversarial(self, logits: tf.Tensor, real: bool) -> tf.Tensor:
        target = tf.ones_like(logits) if real else tf.zeros_like(logits)
        loss = self.loss_fn(target, logits)
        if _replicas() > 1 and getattr(self.loss_fn, "reduction", None) in _SCALED_BY_KERAS:
            # a Keras loss has divided its mean by the replica count already;
            # here it stays a plain mean, like the L1 terms: the trackers
            # report it, and _replica_share divides once, for the gradients
            loss = loss * _replicas()
        return loss

    def get_compile_config(self) -> dict | None:
        if not hasattr(self, "loss_fn"):
            return None
        return {name: keras.saving.serialize_keras_object(getattr(self, name))
                for name in (*self.OPTIMIZERS, "loss_fn")}

    def compile_from_config(self, config: dict) -> None:
        """Compile with the optimizers and loss saved in a ``.keras`` file (their settings, not their state)."""
        self.compile(**{name: keras.saving.deserialize_keras_object(value) for name, value in config.items()})
        self.build_optimizers()

    def build_optimizers(self) -> None:
        """Create each optimizer's state for its network's weights now, not
        at the first step: so that saved optimizer state can be loaded, and
        so that under a ``tf.distribute`` strategy the state is created in
        its scope, not inside a replica's step (``compile`` calls this)."""
        for optimizer, network in self.OPTIMIZERS.items():
            if not getattr(self, optimizer).built:
                getattr(self, optimizer).build(getattr(self, network).trainable_variables)


class _TwoNetworks(_Adversarial):
    """What :class:`GAN` and :class:`Pix2Pix` share: a generator, a
    discriminator, one optimizer each, a loss function and the trackers."""

    OPTIMIZERS = {"d_optimizer": "discriminator", "g_optimizer": "generator"}

    def __init__(self, generator: keras.Model, discriminator: keras.Model, **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.built = True  # the networks are built; the model adds no weights of its own

    def compile(
        self,
        d_optimizer: keras.optimizers.Optimizer | None = None,
        g_optimizer: keras.optimizers.Optimizer | None = None,
        loss_fn: keras.losses.Loss | None = None,
        **kwargs,
    ) -> None:
        """Set one optimizer per network (default: :func:`adam`) and the
        adversarial loss (default: binary cross-entropy on logits)."""
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer or adam()
        self.g_optimizer = g_optimizer or adam()
        self.loss_fn = loss_fn or keras.losses.BinaryCrossentropy(from_logits=True)
        self.build_optimizers()

    def get_config(self) -> dict:
        return {
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "name": self.name,
        }

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        for key in ("generator", "discriminator"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)


@keras.saving.register_keras_serializable(package=PACKAGE)
class GAN(_TwoNetworks):
    """An unconditional GAN (DCGAN, Radford et al. 2016): ``generator`` maps
    noise z ~ N(0, I) to images, ``discriminator`` maps images to one logit.

    Each ``train_step`` on a batch of real images:

    1. draws z, makes fake images, and updates the discriminator on
       ``d_loss = BCE(1, D(real)) + BCE(0, D(fake))``;
    2. draws new z and updates the generator on ``g_loss = BCE(1, D(G(z)))``
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
        super().__init__(generator, discriminator, **kwargs)
        self.latent_dim = int(latent_dim or generator.input_shape[-1])
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, z, training: bool = False):
        return self.generator(z, training=training)

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

    def _d_pass(self, real: tf.Tensor, training: bool):
        batch = tf.shape(real)[0]
        fake = self.generator(self.noise(batch), training=training)
        real_logits = self.discriminator(real, training=training)
        fake_logits = self.discriminator(fake, training=training)
        d_loss = self._adversarial(real_logits, True) + self._adversarial(fake_logits, False)
        return d_loss, real_logits, fake_logits

    def train_step(self, data):
        real = data[0] if isinstance(data, tuple) else data
        # 1. the discriminator: real images -> 1, generated images -> 0
        with tf.GradientTape() as tape:
            d_loss, real_logits, fake_logits = self._d_pass(real, training=True)
            d_share = _replica_share(d_loss)
        grads = tape.gradient(d_share, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))
        # 2. the generator: make D say 1 on new fakes (D's weights stay put)
        with tf.GradientTape() as tape:
            fake = self.generator(self.noise(tf.shape(real)[0]), training=True)
            g_loss = self._adversarial(self.discriminator(fake, training=True), True)
            g_share = _replica_share(g_loss)
        grads = tape.gradient(g_share, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
        # the norm of the gradients of g_loss itself (of this replica's
        # examples, under a strategy; the tracker averages the replicas')
        g_grad_norm = tf.linalg.global_norm(grads) * _replicas()
        return self._report(d_loss=d_loss, g_loss=g_loss, d_real_acc=_accuracy(real_logits, True),
                            d_fake_acc=_accuracy(fake_logits, False), g_grad_norm=g_grad_norm)

    def test_step(self, data):
        real = data[0] if isinstance(data, tuple) else data
        d_loss, real_logits, fake_logits = self._d_pass(real, training=False)
        g_loss = self._adversarial(fake_logits, True)
        self.trackers["d_loss"].update_state(d_loss)
        self.trackers["g_loss"].update_state(g_loss)
        self.trackers["d_real_acc"].update_state(_accuracy(real_logits, True))
        self.trackers["d_fake_acc"].update_state(_accuracy(fake_logits, False))
        return {name: self.trackers[name].result() for name in ("d_loss", "g_loss", "d_real_acc", "d_fake_acc")}

    def get_config(self) -> dict:
        return {**super().get_config(), "latent_dim": self.latent_dim, "seed": self.seed}


@keras.saving.register_keras_serializable(package=PACKAGE)
class Pix2Pix(_TwoNetworks):
    """The conditional GAN of pix2pix (Isola et al., "Image-to-Image
    Translation with Conditional Adversarial Networks", CVPR 2017).

    ``generator`` maps a photo to a sketch (the U-Net of method 1);
    ``discriminator`` maps ``[photo, sketch]`` to PatchGAN logits. Each
    ``train_step`` on a batch of (photo, sketch) pairs, in the order of the
    authors' code:

    1. ``fake = G(photo)``;
    2. the discriminator is updated on
       ``d_loss = 0.5 * (BCE(1, D(photo, sketch)) + BCE(0, D(photo, fake)))``;
    3. the generator is updated on ``g_loss = g_gan + lambda_l1 * g_l1`` with
       ``g_gan = BCE(1, D(photo, fake))`` (through the updated D) and
       ``g_l1 = mean|sketch - fake|``.

    Trackers: ``d_loss``, ``d_real_acc``, ``d_fake_acc``, ``g_loss``,
    ``g_gan`` and ``g_l1``; ``test_step`` reports the same on held-out pairs
    (``val_g_l1`` is the held-out L1).

    Args:
        generator: photo (B, N, N, 3) -> sketch (B, N, N, 1), e.g.
            :func:`sketchlab.models.unet`.
        discriminator: e.g. :func:`sketchlab.models.patchgan`.
        lambda_l1: weight of the L1 term (the paper: 100).
    """

    TRACKED = ("d_loss", "d_real_acc", "d_fake_acc", "g_loss", "g_gan", "g_l1")

    def __init__(self, generator: keras.Model, discriminator: keras.Model, lambda_l1: float = LAMBDA_L1, **kwargs):
        super().__init__(generator, discriminator, **kwargs)
        self.lambda_l1 = float(lambda_l1)

    def call(self, photo, training: bool = False):
        return self.generator(photo, training=training)

    def _d_loss(self, real_logits: tf.Tensor, fake_logits: tf.Tensor) -> tf.Tensor:
        return 0.5 * (self._adversarial(real_logits, True) + self._adversarial(fake_logits, False))

    def train_step(self, data):
        photo, sketch = data
        with tf.GradientTape() as g_tape:
            fake = self.generator(photo, training=True)
            with g_tape.stop_recording(), tf.GradientTape() as d_tape:
                real_logits = self.discriminator([photo, sketch], training=True)
                fake_logits = self.discriminator([photo, tf.stop_gradient(fake)], training=True)
                d_loss = self._d_loss(real_logits, fake_logits)
                d_share = _replica_share(d_loss)
            d_grads = d_tape.gradient(d_share, self.discriminator.trainable_weights)
            self.d_optimizer.apply_gradients(zip(d_grads, self.discriminator.trainable_weights))
            g_gan = self._adversarial(self.discriminator([photo, fake], training=True), True)
            g_l1 = tf.reduce_mean(tf.abs(sketch - fake))
            g_loss = g_gan + self.lambda_l1 * g_l1
            g_share = _replica_share(g_loss)
        g_grads = g_tape.gradient(g_share, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(g_grads, self.generator.trainable_weights))
        return self._report(d_loss=d_loss, d_real_acc=_accuracy(real_logits, True),
                            d_fake_acc=_accuracy(fake_logits, False), g_loss=g_loss, g_gan=g_gan, g_l1=g_l1)

    def test_step(self, data):
        photo, sketch = data
        fake = self.generator(photo, training=False)
        real_logits = self.discriminator([photo, sketch], training=False)
        fake_logits = self.discriminator([photo, fake], training=False)
        g_gan = self._adversarial(fake_logits, True)
        g_l1 = tf.reduce_mean(tf.abs(sketch - fake))
        return self._report(d_loss=self._d_loss(real_logits, fake_logits), d_real_acc=_accuracy(real_logits, True),
                            d_fake_acc=_accuracy(fake_logits, False), g_loss=g_gan + self.lambda_l1 * g_l1,
                            g_gan=g_gan, g_l1=g_l1)

    def get_config(self) -> dict:
        return {**super().get_config(), "lambda_l1": self.lambda_l1}


LAMBDA_CYCLE = 10.0  # CycleGAN's weight of each cycle-consistency term
LAMBDA_IDENTITY = 0.5  # the identity terms' weight, as a fraction of LAMBDA_CYCLE
POOL_SIZE = 50  # generated images kept for CycleGAN's discriminators
LUMA = (0.299, 0.587, 0.114)  # ITU-R 601 weights, RGB -> grey


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
        return tf.reduce_sum(images * tf.constant(LUMA, images.dtype), axis=-1, keepdims=True)
    raise ValueError(f"cannot turn {have}-channel images into {channels}-channel ones")


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


def _mixes_images(network: keras.layers.Layer) -> bool:
    """Whether ``network`` (or a layer nested in it) computes an image's
    output from other images of its batch: BatchNormalization, in training."""
    if isinstance(network, keras.layers.BatchNormalization):
        return True
    return any(_mixes_images(layer) for layer in getattr(network, "layers", []))


def _l1(a: tf.Tensor, b: tf.Tensor) -> tf.Tensor:
    return tf.reduce_mean(tf.abs(tf.cast(a, tf.float32) - tf.cast(b, tf.float32)))


def _apply_gradients(optimizer: keras.optimizers.Optimizer, grads: list, weights: list) -> None:
    """``optimizer.apply_gradients``; for a ``LossScaleOptimizer`` under a
    strategy of several replicas, with the replicas agreeing on overflow.

    A ``LossScaleOptimizer`` skips a step whose gradients overflowed and
    halves its scale. Under a strategy it decides from the first replica's
    gradients alone (Keras 3, ``_tf_apply`` in
    keras/src/optimizers/loss_scale_optimizer.py, which takes them for
    all-reduced ones; the optimizer sums them only afterwards), so another
    replica's overflow reached the weights as NaN: CycleGAN in mixed
    precision on two replicas had a NaN discriminator after its first step.
    Here every replica's gradients are made non-finite when any replica's
    are (one scalar all-reduce), so every replica skips the step.
    """
    context = tf.distribute.get_replica_context()
    if (isinstance(optimizer, keras.optimizers.LossScaleOptimizer) and context is not None
            and context.num_replicas_in_sync > 1):
        finite = tf.reduce_all([tf.reduce_all(tf.math.is_finite(g)) for g in grads if g is not None])
        overflows = context.all_reduce(tf.distribute.ReduceOp.SUM, 1.0 - tf.cast(finite, tf.float32))
        poison = tf.where(overflows > 0, float("nan"), 1.0)
        grads = [g if g is None else g * tf.cast(poison, g.dtype) for g in grads]
    optimizer.apply_gradients(zip(grads, weights))


def _apply(tape: tf.GradientTape, targets: list[tf.Tensor],
           updates: list[tuple[keras.optimizers.Optimizer, keras.Model]]) -> None:
    """Update each network of ``updates`` with its optimizer on the gradients
    of its target, ``optimizer.scale_loss(_replica_share(loss))`` recorded on ``tape``.

    A loss-scaling optimizer (mixed precision) scales the loss before the
    gradients and unscales them before the update. With several such
    optimizers the scales differ, so each network needs its own gradient
    call (and a persistent tape); without scaling every target is the loss
    itself and one call serves every network.
    """
    if all(t is targets[0] for t in targets):
        weights = [network.trainable_weights for _, network in updates]
        grads = tape.gradient(targets[0], [w for ws in weights for w in ws])
        start = 0
        for (optimizer, _), ws in zip(updates, weights):
            _apply_gradients(optimizer, grads[start:start + len(ws)], ws)
            start += len(ws)
        return
    for (optimizer, network), target in zip(updates, targets):
        _apply_gradients(optimizer, tape.gradient(target, network.trainable_weights), network.trainable_weights)


@keras.saving.register_keras_serializable(package=PACKAGE)
class CycleGAN(_Adversarial):
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
    well as ``s2i`` (which drew it back). Each ``train_step`` updates the
    generators (the discriminators held fixed), then the discriminators on
    the pooled fakes of the same step, as the authors' code does. When no
    network mixes the images of a batch (instance norm, as here; not
    BatchNorm), the passes of one network that do not depend on each other
    run as one call on their batches stacked (:attr:`stack_passes`,
    :meth:`_passes`): each generator on its real images and on its identity
    input, each discriminator on real and pooled images.

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

    TRACKED = ("d_sketch", "d_photo", "g_i2s", "g_s2i", "cycle_photo", "cycle_sketch", "identity_sketch",
               "identity_photo", "g_loss", "l1_i2s", "l1_s2i")
    OPTIMIZERS = {"i2s_optimizer": "i2s", "s2i_optimizer": "s2i", "d_sketch_optimizer": "d_sketch",
                  "d_photo_optimizer": "d_photo"}
    NETWORKS = ("i2s", "s2i", "d_sketch", "d_photo")

    def __init__(self, i2s: keras.Model, s2i: keras.Model, d_sketch: keras.Model, d_photo: keras.Model,
                 lambda_cycle: float = LAMBDA_CYCLE, lambda_identity: float = LAMBDA_IDENTITY,
                 pool_size: int = POOL_SIZE, seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.i2s, self.s2i, self.d_sketch, self.d_photo = i2s, s2i, d_sketch, d_photo
        self.lambda_cycle, self.lambda_identity = float(lambda_cycle), float(lambda_identity)
        self.pool_size, self.seed = int(pool_size), int(seed)
        self.sketch_pool = ImagePool(pool_size, i2s.output_shape[1:], seed=seed, name="sketch_pool")
        self.photo_pool = ImagePool(pool_size, s2i.output_shape[1:], seed=seed + 1, name="photo_pool")
        self.stack_passes = not any(_mixes_images(net) for net in (i2s, s2i, d_sketch, d_photo))
        self.built = True

    def compile(
        self,
        i2s_optimizer: keras.optimizers.Optimizer | None = None,
        s2i_optimizer: keras.optimizers.Optimizer | None = None,
        d_sketch_optimizer: keras.optimizers.Optimizer | None = None,
        d_photo_optimizer: keras.optimizers.Optimizer | None = None,
        loss_fn: keras.losses.Loss | None = None,
        **kwargs,
    ) -> None:
        """Set one optimizer per network (default: :func:`adam`; wrap each in
        ``keras.optimizers.LossScaleOptimizer`` for mixed precision) and the
        adversarial loss (default: mean squared error, the least-squares GAN)."""
        super().compile(**kwargs)
        self.i2s_optimizer = i2s_optimizer or adam()
        self.s2i_optimizer = s2i_optimizer or adam()
        self.d_sketch_optimizer = d_sketch_optimizer or adam()
        self.d_photo_optimizer = d_photo_optimizer or adam()
        self.loss_fn = loss_fn or keras.losses.MeanSquaredError()
        self.build_optimizers()

    def call(self, photo, training: bool = False):
        return self.i2s(photo, training=training)

    def _adversarial(self, logits: tf.Tensor, real: bool) -> tf.Tensor:
        return super()._adversarial(tf.cast(logits, tf.float32), real)

    def _passes(self, network: keras.Model, *batches: tf.Tensor) -> list[tf.Tensor]:
        """``network(batch, training=True)`` for each of ``batches``. When
        :attr:`stack_passes` (no network mixes the images of a batch, as
        with instance norm), in one call on the batches stacked: the same
        outputs, and each convolution runs once on all of them (on 2 CPU
        cores, 11% off a CycleGAN step at 64x64 and 8% at 128x128:
        ``benchmarks/step_levers.py``); else one call each."""
        if not self.stack_passes:
            return [network(batch, training=True) for batch in batches]
        stacked = tf.concat([tf.cast(batch, batches[0].dtype) for batch in batches], axis=0)
        sizes = tf.stack([tf.shape(batch)[0] for batch in batches])
        return tf.split(network(stacked, training=True), sizes, num=len(batches), axis=0)

    def _d_loss(self, discriminator: keras.Model, real: tf.Tensor, fake: tf.Tensor) -> tf.Tensor:
        real_logits, fake_logits = self._passes(discriminator, real, fake)
        return 0.5 * (self._adversarial(real_logits, True) + self._adversarial(fake_logits, False))

    def train_step(self, data):
        photo, sketch = data[:2]  # fit on a dataset gives (photo, sketch); train_on_batch adds weights
        scaled = any(isinstance(o, keras.optimizers.LossScaleOptimizer) or o.loss_scale_factor
                     for o in (self.i2s_optimizer, self.s2i_optimizer))
        # 1. the generators, on one loss (the discriminators are not updated here)
        with tf.GradientTape(persistent=bool(scaled)) as tape:
            if self.lambda_identity:  # each generator's two passes on real images, in one call
                fake_sketch, same_sketch = self._passes(self.i2s, photo, to_channels(sketch, 3))
                fake_photo, same_photo = self._passes(self.s2i, sketch, to_channels(photo, 1))
            else:
                fake_sketch, fake_photo = self.i2s(photo, training=True), self.s2i(sketch, training=True)
            g_i2s = self._adversarial(self.d_sketch(fake_sketch, training=True), True)
            g_s2i = self._adversarial(self.d_photo(fake_photo, training=True), True)
            cycle_photo = _l1(self.s2i(fake_sketch, training=True), photo)
            cycle_sketch = _l1(self.i2s(fake_photo, training=True), sketch)
            g_loss = g_i2s + g_s2i + self.lambda_cycle * (cycle_photo + cycle_sketch)
            identity_sketch = identity_photo = tf.constant(0.0)
            if self.lambda_identity:
                identity_sketch = _l1(same_sketch, sketch)
                identity_photo = _l1(same_photo, photo)
                g_loss += self.lambda_identity * self.lambda_cycle * (identity_sketch + identity_photo)
            updates = [(self.i2s_optimizer, self.i2s), (self.s2i_optimizer, self.s2i)]
            g_share = _replica_share(g_loss)
            targets = [optimizer.scale_loss(g_share) for optimizer, _ in updates]
        _apply(tape, targets, updates)
        del tape
        # 2. the discriminators: real images -> 1, pooled fakes -> 0
        pooled_sketch = self.sketch_pool(tf.stop_gradient(fake_sketch))
        pooled_photo = self.photo_pool(tf.stop_gradient(fake_photo))
        with tf.GradientTape() as tape:
            d_sketch = self._d_loss(self.d_sketch, sketch, pooled_sketch)
            d_photo = self._d_loss(self.d_photo, photo, pooled_photo)
            # the two losses share no weights: one gradient call on their
            # (scaled) sum gives each discriminator its own loss's gradients
            target = (self.d_sketch_optimizer.scale_loss(_replica_share(d_sketch))
                      + self.d_photo_optimizer.scale_loss(_replica_share(d_photo)))
        weights = self.d_sketch.trainable_weights + self.d_photo.trainable_weights
        grads = tape.gradient(target, weights)
        split = len(self.d_sketch.trainable_weights)
        _apply_gradients(self.d_sketch_optimizer, grads[:split], weights[:split])
        _apply_gradients(self.d_photo_optimizer, grads[split:], weights[split:])
        return self._log(d_sketch=d_sketch, d_photo=d_photo, g_i2s=g_i2s, g_s2i=g_s2i, cycle_photo=cycle_photo,
                         cycle_sketch=cycle_sketch, identity_sketch=identity_sketch, identity_photo=identity_photo,
                         g_loss=g_loss)

    def test_step(self, data):
        photo, sketch = data[:2]
        fake_sketch = self.i2s(photo, training=False)
        fake_photo = self.s2i(sketch, training=False)
        return self._log(cycle_photo=_l1(self.s2i(fake_sketch, training=False), photo),
                         cycle_sketch=_l1(self.i2s(fake_photo, training=False), sketch),
                         l1_i2s=_l1(fake_sketch, sketch), l1_s2i=_l1(fake_photo, photo))

    def _log(self, **values: tf.Tensor) -> dict[str, tf.Tensor]:
        """Update the trackers of ``values`` and return their means (the
        training and the test step track different terms)."""
        for name, value in values.items():
            self.trackers[name].update_state(value)
        return {name: self.trackers[name].result() for name in values}

    def get_config(self) -> dict:
        return {**{name: keras.saving.serialize_keras_object(getattr(self, name)) for name in self.NETWORKS},
                "lambda_cycle": self.lambda_cycle, "lambda_identity": self.lambda_identity,
                "pool_size": self.pool_size, "seed": self.seed, "name": self.name}

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        for key in cls.NETWORKS:
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)
