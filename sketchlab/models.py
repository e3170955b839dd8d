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

The generators use the pix2pix blocks: ``Conv 4x4 stride 2 - BatchNorm - LeakyReLU(0.2)``
down, ``ConvTranspose 4x4 stride 2 - BatchNorm - (Dropout) - ReLU`` up, and a
``tanh`` output, so sketches come out in [-1, 1] like the pipeline's.
"""

from __future__ import annotations

import math
from pathlib import Path

import keras
from keras import layers

from .config import check_image_size

INIT_STDDEV = 0.02  # pix2pix / DCGAN weight initialisation: N(0, 0.02)
# BatchNorm momentum of the GAN networks (the DCGAN pair, the PatchGAN): 0.9,
# PyTorch's default (written 0.1 there) in the authors' code. Keras' 0.99
# leaves the moving statistics, used for sampling and for held-out scores,
# far behind over the few hundred steps a small GAN trains for.
GAN_MOMENTUM = 0.9


def _init() -> keras.initializers.Initializer:
    return keras.initializers.RandomNormal(mean=0.0, stddev=INIT_STDDEV)


def down_block(x, filters: int, norm: bool = True, name: str = "down", momentum: float = 0.99):
    """``Conv2D(4x4, stride 2)`` - ``BatchNorm`` - ``LeakyReLU(0.2)``: halves H and W.
    ``momentum`` is BatchNorm's for its moving statistics."""
    x = layers.Conv2D(filters, 4, strides=2, padding="same", use_bias=not norm,
                      kernel_initializer=_init(), name=f"{name}_conv")(x)
    if norm:
        x = layers.BatchNormalization(momentum=momentum, name=f"{name}_norm")(x)
    return layers.LeakyReLU(0.2, name=f"{name}_act")(x)


def up_block(x, filters: int, dropout: float = 0.0, name: str = "up", momentum: float = 0.99):
    """``Conv2DTranspose(4x4, stride 2)`` - ``BatchNorm`` - (``Dropout``) - ``ReLU``: doubles H and W.
    ``momentum`` is BatchNorm's for its moving statistics."""
    x = layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=False,
                               kernel_initializer=_init(), name=f"{name}_conv")(x)
    x = layers.BatchNormalization(momentum=momentum, name=f"{name}_norm")(x)
    if dropout:
        x = layers.Dropout(dropout, name=f"{name}_dropout")(x)
    return layers.ReLU(name=f"{name}_act")(x)


def filter_counts(image_size: int, filters: int = 64, max_filters: int = 512) -> list[int]:
    """Filters of each encoder block: ``filters``, doubling per block up to
    ``max_filters``, one block per halving from ``image_size`` down to 1x1.

    >>> filter_counts(256)
    [64, 128, 256, 512, 512, 512, 512, 512]
    """
    check_image_size(image_size)
    return [min(filters * 2**i, max_filters) for i in range(int(math.log2(image_size)))]


def _generator(image_size: int, filters: int, max_filters: int, dropout: float,
               skips: bool, in_channels: int, out_channels: int, name: str) -> keras.Model:
    counts = filter_counts(image_size, filters, max_filters)
    inputs = keras.Input((image_size, image_size, in_channels), name="photo")
    x, encoded = inputs, []
    for i, n in enumerate(counts):
        # no norm on the first block (pix2pix) nor on the 1x1 bottleneck,
        # where batch statistics of a single value per image are meaningless
        x = down_block(x, n, norm=0 < i < len(counts) - 1, name=f"enc{i + 1}")
        encoded.append(x)
    for i, n in enumerate(reversed(counts[:-1])):
        x = up_block(x, n, dropout=dropout if i < 3 else 0.0, name=f"dec{len(counts) - 1 - i}")
        if skips:
            x = layers.Concatenate(name=f"skip{len(counts) - 1 - i}")([x, encoded[-2 - i]])
    outputs = layers.Conv2DTranspose(out_channels, 4, strides=2, padding="same", activation="tanh",
                                     kernel_initializer=_init(), name="sketch")(x)
    return keras.Model(inputs, outputs, name=name)


def encoder_decoder(image_size: int = 256, filters: int = 64, max_filters: int = 512,
                    dropout: float = 0.5, in_channels: int = 3, out_channels: int = 1) -> keras.Model:
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

    Returns:
        A model mapping (B, N, N, in_channels) in [-1, 1] to
        (B, N, N, out_channels) in [-1, 1].

    Example:
        >>> model = encoder_decoder(image_size=64, filters=16)
        >>> model.output_shape
        (None, 64, 64, 1)
    """
    return _generator(image_size, filters, max_filters, dropout, skips=False,
                      in_channels=in_channels, out_channels=out_channels, name="encoder_decoder")


def unet(image_size: int = 256, filters: int = 64, max_filters: int = 512,
         dropout: float = 0.5, in_channels: int = 3, out_channels: int = 1) -> keras.Model:
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
        >>> model = unet(image_size=64, filters=16)
        >>> model.output_shape
        (None, 64, 64, 1)
    """
    return _generator(image_size, filters, max_filters, dropout, skips=True,
                      in_channels=in_channels, out_channels=out_channels, name="unet")


GENERATORS = {"encoder-decoder": encoder_decoder, "unet": unet}


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
             in_channels: int = 3, out_channels: int = 1, n_layers: int = 3) -> keras.Model:
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
        in_channels: channels of the condition (3 for RGB photos).
        out_channels: channels of the judged image (1 for grey sketches).
        n_layers: stride-2 blocks (the authors' ``n_layers_D``): 3 for the
            70x70 PatchGAN, 2 for 34x34, 1 for 16x16.

    Returns:
        A model mapping ``[photo (B, N, N, in_channels), sketch (B, N, N,
        out_channels)]`` to logits (B, N / 2^n_layers - 2, same, 1): 30x30
        at 256 with the defaults.

    Example:
        >>> patchgan(image_size=64, filters=16).output_shape
        (None, 6, 6, 1)
    """
    check_image_size(image_size)
    photo = keras.Input((image_size, image_size, in_channels), name="photo")
    sketch = keras.Input((image_size, image_size, out_channels), name="sketch")
    x = layers.Concatenate(name="pair")([photo, sketch])
    for i in range(n_layers):
        x = down_block(x, min(filters * 2**i, max_filters), norm=i > 0, name=f"d{i + 1}", momentum=GAN_MOMENTUM)
    top = f"d{n_layers + 1}"
    x = layers.ZeroPadding2D(name=f"{top}_pad")(x)
    x = layers.Conv2D(min(filters * 2**n_layers, max_filters), 4, use_bias=False, kernel_initializer=_init(),
                      name=f"{top}_conv")(x)
    x = layers.BatchNormalization(momentum=GAN_MOMENTUM, name=f"{top}_norm")(x)
    x = layers.LeakyReLU(0.2, name=f"{top}_act")(x)
    x = layers.ZeroPadding2D(name="logits_pad")(x)
    logits = layers.Conv2D(1, 4, kernel_initializer=_init(), name="logits")(x)
    return keras.Model([photo, sketch], logits, name="patchgan")


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


class ModelFileError(Exception):
    """A model file that is missing or cannot be loaded; the message says which and why."""


def load_generator(path: str | Path) -> keras.Model:
    """Load a generator saved as ``.keras`` (by ``train`` or a notebook).

    Raises:
        ModelFileError: the file is missing, not a ``.keras`` file, or not a
            photo -> sketch generator (one square RGB input).
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
        raise ModelFileError(f"{path}: cannot be loaded as a Keras model ({type(err).__name__}: {err}). "
                             "Is the file complete? Save it again.") from err
    shape = model.input_shape
    if not (isinstance(shape, tuple) and len(shape) == 4 and shape[1] == shape[2] and shape[3] == 3):
        raise ModelFileError(f"{path}: input shape {shape} is not (None, N, N, 3); "
                             "expected a photo -> sketch generator.")
    return model
