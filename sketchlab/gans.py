"""Adversarial models: ``keras.Model`` subclasses that own two networks,
their losses, one optimizer per network, and the update in ``train_step``.

- :class:`GAN`: the unconditional DCGAN (Radford et al. 2016): a generator
  draws sketches from noise, a discriminator tells them from real ones.
- :class:`Pix2Pix`: the conditional GAN of Isola et al. 2017: a U-Net turns a
  photo into a sketch, a PatchGAN judges (photo, sketch) pairs, and an L1
  term keeps the sketch close to the artist's.

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
"""

from __future__ import annotations

import keras
import tensorflow as tf

PACKAGE = "sketchlab"
LEARNING_RATE = 2e-4  # Adam(2e-4, beta_1=0.5): DCGAN, pix2pix and CycleGAN
BETA_1 = 0.5
LAMBDA_L1 = 100.0  # pix2pix's weight of the L1 term


def adam(learning_rate: float | keras.optimizers.schedules.LearningRateSchedule = LEARNING_RATE) -> keras.optimizers.Optimizer:
    """Adam with the GAN papers' settings: beta_1 = 0.5."""
    return keras.optimizers.Adam(learning_rate, beta_1=BETA_1)


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


def _trackers(*names: str) -> dict[str, keras.metrics.Mean]:
    return {name: keras.metrics.Mean(name=name) for name in names}


def _accuracy(logits: tf.Tensor, real: bool) -> tf.Tensor:
    """The share of logits on the right side of 0: D's accuracy on a batch."""
    return tf.reduce_mean(tf.cast(logits > 0 if real else logits < 0, tf.float32))


class _TwoNetworks(keras.Model):
    """What :class:`GAN` and :class:`Pix2Pix` share: a generator, a
    discriminator, one optimizer each, a loss function and the trackers."""

    TRACKED: tuple[str, ...] = ()

    def __init__(self, generator: keras.Model, discriminator: keras.Model, **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.trackers = _trackers(*self.TRACKED)

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
        return self.loss_fn(target, logits)

    def get_compile_config(self) -> dict | None:
        if not hasattr(self, "loss_fn"):
            return None
        return {name: keras.saving.serialize_keras_object(getattr(self, name))
                for name in ("d_optimizer", "g_optimizer", "loss_fn")}

    def compile_from_config(self, config: dict) -> None:
        """Compile with the optimizers and loss saved in a ``.keras`` file (their settings, not their state)."""
        self.compile(**{name: keras.saving.deserialize_keras_object(value) for name, value in config.items()})

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
        """``count`` noise vectors z ~ N(0, I), (count, latent_dim)."""
        return keras.random.normal((count, self.latent_dim), seed=self.seed_generator)

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
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))
        # 2. the generator: make D say 1 on new fakes (D's weights stay put)
        with tf.GradientTape() as tape:
            fake = self.generator(self.noise(tf.shape(real)[0]), training=True)
            g_loss = self._adversarial(self.discriminator(fake, training=True), True)
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
        return self._report(d_loss=d_loss, g_loss=g_loss, d_real_acc=_accuracy(real_logits, True),
                            d_fake_acc=_accuracy(fake_logits, False), g_grad_norm=tf.linalg.global_norm(grads))

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
            d_grads = d_tape.gradient(d_loss, self.discriminator.trainable_weights)
            self.d_optimizer.apply_gradients(zip(d_grads, self.discriminator.trainable_weights))
            g_gan = self._adversarial(self.discriminator([photo, fake], training=True), True)
            g_l1 = tf.reduce_mean(tf.abs(sketch - fake))
            g_loss = g_gan + self.lambda_l1 * g_l1
        g_grads = g_tape.gradient(g_loss, self.generator.trainable_weights)
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
