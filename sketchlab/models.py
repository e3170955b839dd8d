"""Network builders: plain functions that return ``keras.Model`` objects.

Method 1 of the course maps a photo to a sketch with one network trained on
the paired data:

- :func:`encoder_decoder`: strided convolutions squeeze the photo into a small
  bottleneck, transposed convolutions grow it back into a sketch (the
  "encoder-decoder" baseline of Isola et al. 2017, Fig. 3).
- :func:`unet`: the same network with skip connections from each encoder
  block to the decoder block of the same size (Ronneberger et al. 2015), the
  pix2pix generator ("U-Net-256" at 256x256).

The GAN chapter adds the networks that judge and the networks that dream:

- :func:`patchgan`: the conditional PatchGAN discriminator of pix2pix, one
  real/fake logit per overlapping 70x70 patch of a (photo, sketch) pair.
- :func:`dcgan_generator` and :func:`dcgan_discriminator`: the DCGAN pair
  (Radford et al., ICLR 2016) that learns to draw sketches from noise.

CycleGAN (method 2) adds :func:`resnet_generator`, the generator of Zhu et
al. 2017 (reflection padding, instance norm, residual blocks), and judges
each domain with an unconditional, instance-normalised :func:`patchgan`.

The generators use the pix2pix blocks: ``Conv 4x4 stride 2 - BatchNorm - LeakyReLU(0.2)``
down, ``ConvTranspose 4x4 stride 2 - BatchNorm - (Dropout) - ReLU`` up, and a
``tanh`` output, so sketches come out in [-1, 1] like the pipeline's.
"""

from __future__ import annotations

import math
from pathlib import Path

import keras
import tensorflow as tf
from keras import layers

from .config import check_image_size
from .errors import ModelFileError

INIT_STDDEV = 0.02  # pix2pix / DCGAN weight initialisation: N(0, 0.02)
# BatchNorm momentum of the GAN networks (the DCGAN pair, the PatchGAN): 0.9,
# PyTorch's default (written 0.1 there) in the authors' code. Keras' 0.99
# leaves the moving statistics, used for sampling and for held-out scores,
# far behind over the few hundred steps a small GAN trains for.
GAN_MOMENTUM = 0.9


def _init() -> keras.initializers.Initializer:
    return keras.initializers.RandomNormal(mean=0.0, stddev=INIT_STDDEV)


def down_block(x, filters: int, norm: bool = True, name: str = "down", momentum: float = 0.99,
               instance: bool = False):
    """``Conv2D(4x4, stride 2)`` - ``BatchNorm`` - ``LeakyReLU(0.2)``: halves H and W.
    ``momentum`` is BatchNorm's for its moving statistics; ``instance`` uses
    :func:`instance_norm` instead (with a bias, which instance norm does not cancel)."""
    x = layers.Conv2D(filters, 4, strides=2, padding="same", use_bias=instance or not norm,
                      kernel_initializer=_init(), name=f"{name}_conv")(x)
    if norm:
        x = (instance_norm(f"{name}_norm") if instance
             else layers.BatchNormalization(momentum=momentum, name=f"{name}_norm"))(x)
    return layers.LeakyReLU(0.2, name=f"{name}_act")(x)


UPSAMPLING = ("transpose", "resize")  # how a decoder doubles H and W; see upsample()


def upsample(x, filters: int, how: str = "transpose", name: str = "up", use_bias: bool = False,
             activation: str | None = None):
    """Double H and W with a learned filter: ``"transpose"``, the papers'
    ``Conv2DTranspose(4x4, stride 2)``, or ``"resize"``, a nearest-neighbour
    ``UpSampling2D`` then ``Conv2D(3x3)`` (Odena et al., "Deconvolution and
    Checkerboard Artifacts", Distill 2016).

    A 4x4 kernel at stride 2 overlaps itself unevenly, so a transposed
    convolution can paint a 2-pixel grid over flat regions (blank paper);
    resize-convolution weights every output pixel alike and cannot.
    """
    if how not in UPSAMPLING:
        raise ValueError(f"unknown upsampling {how!r}; use one of: {', '.join(UPSAMPLING)}")
    if how == "transpose":
        return layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=use_bias,
                                      activation=activation, kernel_initializer=_init(), name=name)(x)
    x = layers.UpSampling2D(2, interpolation="nearest", name=f"{name}_resize")(x)
    return layers.Conv2D(filters, 3, padding="same", use_bias=use_bias, activation=activation,
                         kernel_initializer=_init(), name=name)(x)


def up_block(x, filters: int, dropout: float = 0.0, name: str = "up", momentum: float = 0.99,
             how: str = "transpose"):
    """:func:`upsample` (by default ``Conv2DTranspose(4x4, stride 2)``) - ``BatchNorm`` -
    (``Dropout``) - ``ReLU``: doubles H and W. ``momentum`` is BatchNorm's for its moving statistics."""
    x = upsample(x, filters, how, name=f"{name}_conv")
    x = layers.BatchNormalization(momentum=momentum, name=f"{name}_norm")(x)
    if dropout:
        x = layers.Dropout(dropout, name=f"{name}_dropout")(x)
    return layers.ReLU(name=f"{name}_act")(x)


def instance_norm(name: str) -> layers.Layer:
    """Instance normalisation as in the CycleGAN reference: each image's
    channels normalised over H and W, without learned scale and offset
    (:class:`InstanceNormalization`, Keras' ``GroupNormalization(groups=-1)``:
    one group per channel)."""
    return InstanceNormalization(epsilon=1e-5, name=name)


@keras.saving.register_keras_serializable(package="sketchlab")
class InstanceNormalization(layers.GroupNormalization):
    """Keras' ``GroupNormalization`` with one group per channel by default
    (instance norm, Ulyanov et al. 2016), computed by one fused kernel.

    The same layer, config and weights as ``GroupNormalization``, and the
    same outputs to float precision. On TensorFlow a 4-D input is normalised
    by ``FusedBatchNormV3`` (one kernel forward, one backward) instead of a
    reshape into groups, moments and some ten element-wise operations: the
    batch's images are laid side by side as the channels of a single image,
    whose batch statistics are then each image's own statistics per channel.
    TensorFlow's fused kernel needs ``epsilon >= 1.001e-5`` and raises a
    smaller one to that (as Keras 2's fused BatchNorm did); other inputs and
    backends fall back to ``GroupNormalization.call``.

    Example:
        >>> x = keras.random.normal((2, 8, 8, 3), seed=0) * 5 + 1
        >>> y = keras.ops.convert_to_numpy(InstanceNormalization()(x))
        >>> bool(abs(y.mean(axis=(1, 2))).max() < 1e-5), bool(abs(y.std(axis=(1, 2)) - 1).max() < 1e-3)
        (True, True)
    """

    def __init__(self, groups: int = -1, axis: int = -1, epsilon: float = 1e-5, center: bool = False,
                 scale: bool = False, **kwargs):
        super().__init__(groups=groups, axis=axis, epsilon=epsilon, center=center, scale=scale, **kwargs)

    def _fused(self, inputs) -> bool:
        rank = len(inputs.shape)
        return (keras.backend.backend() == "tensorflow" and rank == 4 and self.axis in (-1, rank - 1)
                and self.groups == inputs.shape[-1])

    def call(self, inputs):
        if not self._fused(inputs):
            return super().call(inputs)
        x = tf.cast(inputs, tf.float32)  # statistics in float32, as GroupNormalization computes them
        shape = tf.shape(x)
        b, pixels, c = shape[0], shape[1] * shape[2], shape[3]
        # (B, H, W, C) -> (1, 1, H*W, B*C): image b's channel c becomes channel b*C + c of one image
        side_by_side = tf.reshape(tf.transpose(tf.reshape(x, [b, pixels, c]), [1, 0, 2]), [1, 1, pixels, b * c])
        ones = tf.ones([b * c], tf.float32)
        y, _, _ = tf.compat.v1.nn.fused_batch_norm(side_by_side, ones, tf.zeros_like(ones),
                                                   epsilon=self.epsilon, is_training=True)
        y = tf.reshape(tf.transpose(tf.reshape(y, [pixels, b, c]), [1, 0, 2]), shape)
        if self.scale:
            y = y * tf.cast(self.gamma, tf.float32)
        if self.center:
            y = y + tf.cast(self.beta, tf.float32)
        return tf.cast(y, self.compute_dtype)


@keras.saving.register_keras_serializable(package="sketchlab")
class ReflectionPadding2D(layers.Layer):
    """Pad H and W by mirroring the image at its border (no dark frame from
    zeros): ``padding`` pixels on each side.

    Example:
        >>> tuple(ReflectionPadding2D(3)(keras.ops.zeros((1, 8, 8, 2))).shape)
        (1, 14, 14, 2)
    """

    def __init__(self, padding: int = 1, **kwargs):
        super().__init__(**kwargs)
        self.padding = int(padding)

    def call(self, x):
        p = self.padding
        return keras.ops.pad(x, [[0, 0], [p, p], [p, p], [0, 0]], mode="reflect")

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape
        grow = 2 * self.padding
        return (b, None if h is None else h + grow, None if w is None else w + grow, c)

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": self.padding}


def _resnet_block(x, filters: int, name: str):
    """Two reflection-padded 3x3 convolutions with instance norm, added to the input."""
    y = x
    for i, act in ((1, True), (2, False)):
        y = ReflectionPadding2D(1, name=f"{name}_pad{i}")(y)
        y = layers.Conv2D(filters, 3, kernel_initializer=_init(), name=f"{name}_conv{i}")(y)
        y = instance_norm(f"{name}_norm{i}")(y)
        if act:
            y = layers.ReLU(name=f"{name}_act{i}")(y)
    return layers.Add(name=f"{name}_add")([x, y])


def resnet_generator(image_size: int = 256, filters: int = 64, n_blocks: int | None = None,
                     in_channels: int = 3, out_channels: int = 1, name: str = "resnet_generator") -> keras.Model:
    """The CycleGAN generator (Zhu et al., "Unpaired Image-to-Image
    Translation using Cycle-Consistent Adversarial Networks", ICCV 2017,
    appendix 7.2; after Johnson et al. 2016): ``c7s1-64, d128, d256``, then
    ``n_blocks`` residual blocks ``R256``, then ``u128, u64, c7s1-out``.

    Every convolution is followed by instance norm and ReLU but the last
    (``tanh``); the 7x7 and the residual convolutions pad by reflection, as
    in the reference implementation. The image is halved twice, so the
    residual blocks work at a quarter of the side.

    Args:
        image_size: side N of the square input (a power of two, >= 16).
        filters: filters of the first convolution (the paper: 64); the two
            downsampling steps double them.
        n_blocks: residual blocks; default: the paper's 9 at 256x256 and
            above and 6 at 128x128, and 3 below 128x128, where the paper
            sets none. Each block adds 4 pixels to the receptive field at a
            quarter of the side, so 3 blocks cover 13 of the 16 pixels there
            at 64x64 as 6 cover 25 of 32 at 128x128; at 64x64 the
            generators learn about as well as with 6, in less time
            (docs/performance.md, "Settings chosen by measurement").
        in_channels, out_channels: 3 for RGB photos, 1 for grey sketches
            (photo -> sketch: 3 in, 1 out; sketch -> photo: 1 in, 3 out).
        name: the model's name.

    Returns:
        A model mapping (B, N, N, in_channels) in [-1, 1] to
        (B, N, N, out_channels) in [-1, 1].

    Example:
        >>> resnet_generator(image_size=64, filters=8, in_channels=1, out_channels=3).output_shape
        (None, 64, 64, 3)
    """
    check_image_size(image_size)
    blocks = n_blocks if n_blocks is not None else (9 if image_size >= 256 else 6 if image_size >= 128 else 3)
    inputs = keras.Input((image_size, image_size, in_channels), name="image")
    x = ReflectionPadding2D(3, name="c7_pad")(inputs)
    x = layers.Conv2D(filters, 7, kernel_initializer=_init(), name="c7_conv")(x)
    x = layers.ReLU(name="c7_act")(instance_norm("c7_norm")(x))
    for i in (1, 2):
        x = layers.Conv2D(filters * 2**i, 3, strides=2, padding="same", kernel_initializer=_init(),
                          name=f"down{i}_conv")(x)
        x = layers.ReLU(name=f"down{i}_act")(instance_norm(f"down{i}_norm")(x))
    for i in range(blocks):
        x = _resnet_block(x, filters * 4, name=f"res{i + 1}")
    for i in (1, 2):
        x = layers.Conv2DTranspose(filters * 2 ** (2 - i), 3, strides=2, padding="same",
                                   kernel_initializer=_init(), name=f"up{i}_conv")(x)
        x = layers.ReLU(name=f"up{i}_act")(instance_norm(f"up{i}_norm")(x))
    x = ReflectionPadding2D(3, name="out_pad")(x)
    outputs = layers.Conv2D(out_channels, 7, activation="tanh", kernel_initializer=_init(), name="out_conv")(x)
    return keras.Model(inputs, outputs, name=name)


def filter_counts(image_size: int, filters: int = 64, max_filters: int = 512) -> list[int]:
    """Filters of each encoder block: ``filters``, doubling per block up to
    ``max_filters``, one block per halving from ``image_size`` down to 1x1.

    >>> filter_counts(256)
    [64, 128, 256, 512, 512, 512, 512, 512]
    """
    check_image_size(image_size)
    return [min(filters * 2**i, max_filters) for i in range(int(math.log2(image_size)))]


def _generator(image_size: int, filters: int, max_filters: int, dropout: float,
               skips: bool, in_channels: int, out_channels: int, name: str, how: str) -> keras.Model:
    counts = filter_counts(image_size, filters, max_filters)
    inputs = keras.Input((image_size, image_size, in_channels), name="photo")
    x, encoded = inputs, []
    for i, n in enumerate(counts):
        # no norm on the first block (pix2pix) nor on the 1x1 bottleneck,
        # where batch statistics of a single value per image are meaningless
        x = down_block(x, n, norm=0 < i < len(counts) - 1, name=f"enc{i + 1}")
        encoded.append(x)
    for i, n in enumerate(reversed(counts[:-1])):
        x = up_block(x, n, dropout=dropout if i < 3 else 0.0, name=f"dec{len(counts) - 1 - i}", how=how)
        if skips:
            x = layers.Concatenate(name=f"skip{len(counts) - 1 - i}")([x, encoded[-2 - i]])
    outputs = upsample(x, out_channels, how, name="sketch", use_bias=True, activation="tanh")
    return keras.Model(inputs, outputs, name=name)


def encoder_decoder(image_size: int = 256, filters: int = 64, max_filters: int = 512,
                    dropout: float = 0.5, in_channels: int = 3, out_channels: int = 1,
                    upsampling: str = "transpose") -> keras.Model:
    """The plain convolutional encoder-decoder (Isola et al., "Image-to-Image
    Translation with Conditional Adversarial Networks", CVPR 2017, Fig. 3 and
    appendix 6.1.1, without skip connections).

    The encoder halves the image ``log2(image_size)`` times, down to a 1x1
    bottleneck of ``max_filters`` channels: everything the decoder knows about
    the face must pass through that one vector.

    Args:
        image_size: side N of the square input (a power of two).
        filters: filters of the first encoder block; they double per block.
        max_filters: the cap on filters per block (and the bottleneck width).
        dropout: dropout rate in the first three decoder blocks.
        in_channels: 3 for RGB photos.
        out_channels: 1 for grey sketches.
        upsampling: how the decoder doubles H and W, ``"transpose"`` (the
            paper's) or ``"resize"`` (:func:`upsample`).

    Returns:
        A model mapping (B, N, N, in_channels) in [-1, 1] to
        (B, N, N, out_channels) in [-1, 1].

    Example:
        >>> model = encoder_decoder(image_size=64, filters=16)
        >>> model.output_shape
        (None, 64, 64, 1)
    """
    return _generator(image_size, filters, max_filters, dropout, skips=False,
                      in_channels=in_channels, out_channels=out_channels, name="encoder_decoder", how=upsampling)


def unet(image_size: int = 256, filters: int = 64, max_filters: int = 512,
         dropout: float = 0.5, in_channels: int = 3, out_channels: int = 1,
         upsampling: str = "transpose") -> keras.Model:
    """The U-Net generator of pix2pix (Isola et al. 2017, appendix 6.1.1;
    U-Net: Ronneberger et al., MICCAI 2015): :func:`encoder_decoder` plus
    skip connections that concatenate each encoder block's output to the
    decoder block of the same size, so fine detail need not squeeze through
    the bottleneck. At ``image_size=256`` with the defaults it is the paper's
    U-Net-256 (``C64-C128-C256-C512-C512-C512-C512-C512`` down,
    ``CD512-CD1024-CD1024-C1024-C1024-C512-C256-C128`` up, counting the
    concatenated channels).

    Args and Returns: as in :func:`encoder_decoder`.

    Example:
        >>> unet(image_size=64, filters=16).output_shape
        (None, 64, 64, 1)
    """
    return _generator(image_size, filters, max_filters, dropout, skips=True,
                      in_channels=in_channels, out_channels=out_channels, name="unet", how=upsampling)


# the builders of method 1's plain generators, by their method's name in
# sketchlab.methods (whose trainer for them reads this table)
GENERATORS = {"encoder-decoder": encoder_decoder, "unet": unet}


@keras.saving.register_keras_serializable(package="sketchlab")
class Mirror(layers.Layer):
    """Flip images left to right (reverse the width axis), as a mirror does.

    Example:
        >>> keras.ops.convert_to_numpy(Mirror()(keras.ops.reshape(keras.ops.arange(3.0), (1, 1, 3, 1))))[0, 0, :, 0]
        array([2., 1., 0.], dtype=float32)
    """

    def call(self, images):
        return keras.ops.flip(images, axis=2)


def mirror_averaged(generator: keras.Model) -> keras.Model:
    """``generator`` drawing each photo twice, as it is and mirrored, and
    averaging the two drawings (the second flipped back): test-time
    augmentation with the flip the training's jitter already uses.

    The two drawings are the same face seen from either side, and their
    mistakes differ, so the average loses some of each (measured on CUFS in
    docs/robustness.md). It costs twice the computation and no training;
    the result draws a mirrored photo exactly as the mirror of its drawing.
    The weights are ``generator``'s own, in the same order.

    Example:
        >>> generator = unet(image_size=32, filters=4)
        >>> model = mirror_averaged(generator)
        >>> model.output_shape, len(model.get_weights()) == len(generator.get_weights())
        ((None, 32, 32, 1), True)
    """
    photo = keras.Input(generator.input_shape[1:], name="photo")
    drawn = generator(photo)
    drawn_mirrored = Mirror(name="mirror_back")(generator(Mirror(name="mirror")(photo)))
    average = layers.Average(name="average")([drawn, drawn_mirrored])
    return keras.Model(photo, average, name=f"{generator.name}_mirror_averaged")


def patch_size(n_layers: int = 3) -> int:
    """The side of the patch each PatchGAN logit sees, with ``n_layers``
    stride-2 blocks: 16, 34, 70 (the paper's default), 142 for 1 to 4.

    >>> patch_size(3)
    70
    """
    side = 1 + 3 + 3  # the two stride-1 4x4 convolutions at the top
    for _ in range(n_layers):
        side = (side - 1) * 2 + 4
    return side


def patchgan(image_size: int = 256, filters: int = 64, max_filters: int = 512,
             in_channels: int = 3, out_channels: int = 1, n_layers: int = 3,
             norm: str = "batch", name: str = "patchgan") -> keras.Model:
    """The conditional PatchGAN discriminator of pix2pix (Isola et al. 2017,
    appendix 6.1.2): ``C64-C128-C256-C512`` then a 1-channel convolution,
    on the photo and the sketch stacked as channels.

    Each output value is a logit saying "real pair" for one patch of the
    input: 70x70 with the default three stride-2 blocks (two stride-1 4x4
    convolutions follow them), :func:`patch_size` for others. The
    discriminator judges texture and local structure, and the L1 term is
    left to get the low frequencies right.

    Args:
        image_size: side N of the square inputs.
        filters: filters of the first block (no norm); they double per block
            up to ``max_filters``.
        in_channels: channels of the condition (3 for RGB photos); 0 for
            an unconditional discriminator that sees the judged image alone
            (CycleGAN's, which has no pairs to condition on).
        out_channels: channels of the judged image (1 for grey sketches).
        n_layers: stride-2 blocks (the authors' ``n_layers_D``): 3 for the
            70x70 PatchGAN, 2 for 34x34, 1 for 16x16.
        norm: ``"batch"`` (pix2pix) or ``"instance"`` (CycleGAN: :func:`instance_norm`).
        name: the model's name.

    Returns:
        A model mapping ``[photo (B, N, N, in_channels), sketch (B, N, N,
        out_channels)]`` (or the judged image alone when ``in_channels`` is
        0) to logits (B, N / 2^n_layers - 2, same, 1): 30x30 at 256 with the
        defaults.

    Example:
        >>> patchgan(image_size=64, filters=16).output_shape
        (None, 6, 6, 1)
    """
    check_image_size(image_size)
    if norm not in ("batch", "instance"):
        raise ValueError(f"norm={norm!r}: use 'batch' or 'instance'")
    judged = keras.Input((image_size, image_size, out_channels), name="sketch" if in_channels else "image")
    if in_channels:
        photo = keras.Input((image_size, image_size, in_channels), name="photo")
        inputs = [photo, judged]
        x = layers.Concatenate(name="pair")(inputs)
    else:
        inputs = x = judged
    for i in range(n_layers):
        x = down_block(x, min(filters * 2**i, max_filters), norm=i > 0, name=f"d{i + 1}", momentum=GAN_MOMENTUM,
                       instance=norm == "instance")
    top = f"d{n_layers + 1}"
    x = layers.ZeroPadding2D(name=f"{top}_pad")(x)
    x = layers.Conv2D(min(filters * 2**n_layers, max_filters), 4, use_bias=norm == "instance",
                      kernel_initializer=_init(), name=f"{top}_conv")(x)
    x = (instance_norm(f"{top}_norm") if norm == "instance"
         else layers.BatchNormalization(momentum=GAN_MOMENTUM, name=f"{top}_norm"))(x)
    x = layers.LeakyReLU(0.2, name=f"{top}_act")(x)
    x = layers.ZeroPadding2D(name="logits_pad")(x)
    logits = layers.Conv2D(1, 4, kernel_initializer=_init(), name="logits")(x)
    return keras.Model(inputs, logits, name=name)


DCGAN_SIZE = 64  # the DCGAN draws 64x64 sketches, as in Radford et al.


def dcgan_generator(latent_dim: int = 100, filters: int = 64, channels: int = 1) -> keras.Model:
    """The DCGAN generator (Radford, Metz and Chintala, "Unsupervised
    Representation Learning with Deep Convolutional Generative Adversarial
    Networks", ICLR 2016): a noise vector projected to 4x4x(8 filters), then
    four ``ConvTranspose 4x4 stride 2`` blocks (BatchNorm, ReLU) to 64x64,
    ``tanh`` out.

    Args:
        latent_dim: length of the noise vector z.
        filters: filters of the last block (the first has 8x as many).
        channels: 1 for grey sketches.

    Returns:
        A model mapping z (B, latent_dim) to images (B, 64, 64, channels) in [-1, 1].

    Example:
        >>> dcgan_generator(latent_dim=16, filters=8).output_shape
        (None, 64, 64, 1)
    """
    z = keras.Input((latent_dim,), name="z")
    x = layers.Dense(4 * 4 * filters * 8, use_bias=False, kernel_initializer=_init(), name="project")(z)
    x = layers.Reshape((4, 4, filters * 8), name="to_4x4")(x)
    x = layers.BatchNormalization(momentum=GAN_MOMENTUM, name="project_norm")(x)
    x = layers.ReLU(name="project_act")(x)
    for i, n in enumerate((filters * 4, filters * 2, filters)):
        x = up_block(x, n, name=f"g{i + 1}", momentum=GAN_MOMENTUM)
    image = layers.Conv2DTranspose(channels, 4, strides=2, padding="same", activation="tanh",
                                   kernel_initializer=_init(), name="image")(x)
    return keras.Model(z, image, name="dcgan_generator")


def dcgan_discriminator(filters: int = 64, channels: int = 1) -> keras.Model:
    """The DCGAN discriminator (Radford et al. 2016): four ``Conv 4x4 stride
    2`` blocks (BatchNorm but on the first, LeakyReLU 0.2) from 64x64 to
    4x4, then one 4x4 convolution to a single logit.

    Args:
        filters: filters of the first block; they double per block.
        channels: 1 for grey sketches.

    Returns:
        A model mapping images (B, 64, 64, channels) to logits (B, 1).

    Example:
        >>> dcgan_discriminator(filters=8).output_shape
        (None, 1)
    """
    image = keras.Input((DCGAN_SIZE, DCGAN_SIZE, channels), name="image")
    x = image
    for i in range(4):
        x = down_block(x, filters * 2**i, norm=i > 0, name=f"d{i + 1}", momentum=GAN_MOMENTUM)
    x = layers.Conv2D(1, 4, kernel_initializer=_init(), name="logit_conv")(x)
    logit = layers.Flatten(name="logit")(x)
    return keras.Model(image, logit, name="dcgan_discriminator")




def _saved_with(path: Path) -> str | None:
    """The Keras version recorded in a ``.keras`` file, or None if unreadable."""
    import json
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            return str(json.loads(archive.read("metadata.json"))["keras_version"])
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None


def load_generator(path: str | Path, direction: str = "i2s") -> keras.Model:
    """Load a generator saved as ``.keras`` (by ``train`` or a notebook).

    Args:
        path: the ``.keras`` file.
        direction: ``"i2s"`` for a photo -> sketch generator (one square RGB
            input), ``"s2i"`` for a sketch -> photo one (one square grey
            input, RGB out: CycleGAN's ``s2i.keras``).

    Raises:
        ModelFileError: the file is missing, not a ``.keras`` file, or not a
            generator of that direction.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"{path}: no such model file. Train one first, e.g. "
                             f"`python -m sketchlab train unet --data toy --out runs/unet`.")
    if path.suffix != ".keras":
        raise ModelFileError(f"{path}: expected a .keras file saved with model.save(...).")
    try:
        model = keras.models.load_model(path, compile=False)
    except Exception as err:  # zip, JSON and weight errors of every kind
        saved_with = _saved_with(path)
        hint = ("Is the file complete? Save it again." if saved_with in (None, keras.__version__) else
                f"It was saved with Keras {saved_with} and this is Keras {keras.__version__}: install that "
                f"version (pip install keras=={saved_with}) or train the model again with this one.")
        raise ModelFileError(f"{path}: cannot be loaded as a Keras model ({type(err).__name__}: {err}). "
                             + hint) from err
    shape = model.input_shape
    channels = 3 if direction == "i2s" else 1
    if not (isinstance(shape, tuple) and len(shape) == 4 and shape[1] == shape[2] and shape[3] == channels):
        hint = ("expected a photo -> sketch generator" if direction == "i2s"
                else "expected a sketch -> photo generator (a CycleGAN run's s2i.keras)")
        other = " (it looks like the other direction: check --direction)" if (
            isinstance(shape, tuple) and len(shape) == 4 and shape[3] == {3: 1, 1: 3}[channels]) else ""
        raise ModelFileError(f"{path}: input shape {shape} is not (None, N, N, {channels}); {hint}{other}.")
    return model
