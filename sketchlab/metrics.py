"""Image-quality metrics for generated sketches: FSIM, SSIM, PSNR, L1, rank-1.

Every metric takes grey images with values in [0, 1], shaped (H, W),
(H, W, 1) or a batch (N, H, W, 1), as numpy arrays or TensorFlow tensors, and
returns one value per image as a float64 numpy array of shape (N,) (N = 1 for
a single image). Colour images go through :func:`to_grey` first.

- :func:`fsim`: the Feature SIMilarity index, grey version (FSIM, not
  FSIMc), of L. Zhang, L. Zhang, X. Mou and D. Zhang, "FSIM: A Feature
  Similarity Index for Image Quality Assessment", IEEE TIP 20(8), 2011. It
  follows the authors' MATLAB ``FeatureSIM.m`` step by step, including its
  phase congruency, a version of P. Kovesi's ``phasecong2`` (P. Kovesi,
  "Image Features From Phase Congruency", Videre 1(3), 1999). It is written
  in numpy (``numpy.fft``).
- :func:`ssim`: SSIM of Z. Wang, A. C. Bovik, H. R. Sheikh and
  E. P. Simoncelli, "Image Quality Assessment: From Error Visibility to
  Structural Similarity", IEEE TIP 13(4), 2004 (an 11x11 Gaussian window,
  sigma 1.5), computed by TensorFlow's ``tf.image.ssim``.
- :func:`psnr`: peak signal-to-noise ratio in dB, by ``tf.image.psnr``.
- :func:`l1`: mean absolute error.
- :func:`sharpness`: the mean gradient magnitude of generated sketches over
  that of the real ones (blurry sketches score low).
- :func:`paper_noise`: the texture generated sketches draw where the artist
  left blank paper, over the artist's own (grids and speckle score high).
- :func:`spread`: how much the images of a batch differ (mode collapse: ~0).
- :func:`rank1`: rank-1 recognition rate of generated sketches among the real
  ones, as face-sketch papers report it (X. Wang and X. Tang, "Face
  Photo-Sketch Synthesis and Recognition", IEEE TPAMI 31(11), 2009).

On the 100 CUFS test pairs (grey photo vs its sketch, both 8-bit grey as
Pillow's ``convert("L")`` gives them: ``to_grey(..., eight_bit=True)``),
:func:`fsim` and :func:`ssim` reproduce the reference figures of the
established implementations (``piq.fsim``; scikit-image's
``structural_similarity``), up to float rounding (SSIM's is TensorFlow's
float32); ``benchmarks/metrics_check.py`` prints the differences.
"""

from __future__ import annotations

import functools
import math
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

__all__ = ["fsim", "ssim", "psnr", "l1", "rank1", "to_grey"]

# ITU-R BT.601 luma weights (R, G, B), as in MATLAB's rgb2gray and FeatureSIM.m.
LUMA_601 = (0.299, 0.587, 0.114)

# Values this far outside [0, 1] are float rounding (say a float32 model
# output), clipped rather than refused.
_RANGE_SLACK = 1e-6

# Phase congruency parameters of FeatureSIM.m's phasecong2 (Kovesi).
_NSCALE = 4  # wavelet scales
_NORIENT = 4  # filter orientations
_MIN_WAVELENGTH = 6  # wavelength of the smallest-scale filter, pixels
_MULT = 2  # ratio of successive wavelengths
_SIGMA_ON_F = 0.55  # log-Gabor bandwidth: sigma / centre frequency
_DTHETA_ON_SIGMA = 1.2  # orientation spacing / angular sigma
_NOISE_K = 2.0  # noise threshold: mean + k standard deviations
_EPSILON = 1e-4  # avoids division by zero
_LOWPASS_CUTOFF, _LOWPASS_ORDER = 0.45, 15
_PC2_NOISE_RESCALE = 1.7  # Kovesi's empirical correction for the PC_2 measure
# FSIM's constants, for images in [0, 255].
_T1, _T2 = 0.85, 160.0
# Images of the batch processed together (bounds the memory of the FFTs).
_FSIM_CHUNK = 2


# --------------------------------------------------------------------------
# Input checks


def _to_numpy(image: Any, name: str) -> np.ndarray:
    if hasattr(image, "numpy"):  # an eager TensorFlow tensor (or Keras one)
        image = image.numpy()
    arr = np.asarray(image)
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.number)):
        raise ValueError(f"{name}: expected a numeric image array, got dtype {arr.dtype}.")
    return arr


def _shape(image: Any) -> tuple[int, ...]:
    return tuple(int(d) for d in getattr(image, "shape", np.shape(image)))


def _as_batch(image: Any, name: str, min_size: int = 1) -> np.ndarray:
    """``image`` as a float64 (N, H, W) array, checked: one channel, [0, 1]."""
    arr = _to_numpy(image, name)
    shape = tuple(arr.shape)
    if arr.ndim == 2:
        batch = arr[None]
    elif arr.ndim in (3, 4) and shape[-1] == 1:
        batch = arr[..., 0] if arr.ndim == 4 else arr[None, ..., 0]
    elif arr.ndim in (3, 4):
        raise ValueError(
            f"{name}: shape {shape} has {shape[-1]} channels in its last axis; the metrics "
            f"compare grey images with one channel, (H, W), (H, W, 1) or (N, H, W, 1). "
            f"Convert colour images with sketchlab.metrics.to_grey; a batch of 2-D "
            f"images (N, H, W) needs a channel axis: image[..., None]."
        )
    else:
        raise ValueError(
            f"{name}: got an array of rank {arr.ndim} (shape {shape}); expected "
            f"(H, W), (H, W, 1) or a batch (N, H, W, 1)."
        )
    if batch.shape[0] == 0:
        raise ValueError(f"{name}: the batch is empty (shape {shape}).")
    if min(batch.shape[1:]) < min_size:
        raise ValueError(
            f"{name}: images of {batch.shape[1]}x{batch.shape[2]} pixels (shape {shape}) "
            f"are too small; this metric needs at least {min_size}x{min_size}."
        )
    if np.issubdtype(arr.dtype, np.integer):
        raise ValueError(
            f"{name}: integer images (dtype {arr.dtype}) are ambiguous; the metrics take "
            f"floats in [0, 1]. For 8-bit images use image / 255 (or to_grey)."
        )
    batch = batch.astype(np.float64)
    if not np.isfinite(batch).all():
        raise ValueError(f"{name}: contains NaN or infinite values (shape {shape}).")
    lo, hi = float(batch.min()), float(batch.max())
    if lo < -_RANGE_SLACK or hi > 1.0 + _RANGE_SLACK:
        hint = ""
        if -1.0 - _RANGE_SLACK <= lo and hi <= 1.0 + _RANGE_SLACK:
            hint = " It looks like [-1, 1] model output: use (image + 1) / 2."
        elif lo >= -_RANGE_SLACK and hi <= 255.0:
            hint = " It looks like 8-bit values: divide by 255."
        raise ValueError(
            f"{name}: values must lie in [0, 1], got [{lo:.4g}, {hi:.4g}] "
            f"(shape {shape}).{hint}"
        )
    return np.clip(batch, 0.0, 1.0)


def _pair(x: Any, y: Any, min_size: int = 1, names: tuple[str, str] = ("x", "y")) -> tuple[np.ndarray, np.ndarray]:
    a, b = _as_batch(x, names[0], min_size), _as_batch(y, names[1], min_size)
    if a.shape != b.shape:
        raise ValueError(
            f"{names[0]} and {names[1]} differ in shape: {_shape(x)} vs {_shape(y)} "
            f"(as batches (N, H, W): {a.shape} vs {b.shape}). Compare images of the same "
            f"size, one to one; resize or crop one of them first."
        )
    return a, b


# --------------------------------------------------------------------------
# Grey conversion


def to_grey(image: Any, eight_bit: bool = False) -> np.ndarray:
    """RGB to grey with ITU-R BT.601 luma (0.299 R + 0.587 G + 0.114 B).

    Args:
        image: uint8 values in [0, 255] or floats in [0, 1], shaped (H, W, 3)
            or (N, H, W, 3); grey input, (H, W), (H, W, 1) or (N, H, W, 1),
            is only scaled to [0, 1].
        eight_bit: round the grey to 8-bit levels exactly as Pillow's
            ``Image.convert("L")`` does (integer weights 19595, 38470, 7471
            over 65536, half up), instead of keeping the exact float luma. The
            reference CUFS figures were computed on such 8-bit grey images.

    Returns:
        float64 in [0, 1]: (H, W, 1) or (N, H, W, 1) for RGB input, the input
        shape for grey input.
    """
    arr = _to_numpy(image, "image")
    if np.issubdtype(arr.dtype, np.integer):
        if arr.size and (arr.min() < 0 or arr.max() > 255):
            raise ValueError(
                f"image: integer images must be 8-bit, in [0, 255]; got "
                f"[{arr.min()}, {arr.max()}] (shape {arr.shape})."
            )
        arr = arr.astype(np.float64) / 255.0
    else:
        arr = arr.astype(np.float64)
        if arr.size and (not np.isfinite(arr).all() or arr.min() < -_RANGE_SLACK or arr.max() > 1 + _RANGE_SLACK):
            raise ValueError(
                f"image: float images must lie in [0, 1], got [{np.nanmin(arr):.4g}, "
                f"{np.nanmax(arr):.4g}] (shape {arr.shape}). For 8-bit values pass "
                f"a uint8 array or divide by 255."
            )
        arr = np.clip(arr, 0.0, 1.0)
    if arr.ndim == 2 or (arr.ndim in (3, 4) and arr.shape[-1] == 1):
        return np.round(arr * 255.0) / 255.0 if eight_bit else arr
    if arr.ndim in (3, 4) and arr.shape[-1] == 3:
        if eight_bit:
            rgb = np.round(arr * 255.0).astype(np.int64)
            grey = (rgb[..., 0] * 19595 + rgb[..., 1] * 38470 + rgb[..., 2] * 7471 + 0x8000) >> 16
            return grey[..., None] / 255.0
        r, g, b = LUMA_601
        return (r * arr[..., 0] + g * arr[..., 1] + b * arr[..., 2])[..., None]
    raise ValueError(
        f"image: expected RGB (H, W, 3) or (N, H, W, 3), or grey, got shape {arr.shape}. "
        f"Drop an alpha channel first: image[..., :3]."
    )


# --------------------------------------------------------------------------
# FSIM


def _centred_range(n: int) -> np.ndarray:
    """Frequencies of an n-point FFT, normalised to +/- 0.5, centred (as in
    Kovesi's code: odd n spans exactly [-0.5, 0.5])."""
    if n % 2:
        return (np.arange(n) - (n - 1) / 2) / (n - 1)
    return (np.arange(n) - n // 2) / n


@functools.lru_cache(maxsize=8)
def _pc_filters(rows: int, cols: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The log-Gabor filter bank of phasecong2 for one image size.

    Returns:
        filters: (norient, nscale, rows, cols), float32, zero frequency at [0, 0];
        em_n: (norient,), the sum of squares of the smallest-scale filter;
        noise_gain: (norient,), 2 sum(An^2) + 4 sum(Ai Aj) of the spatial
            filters, so that the expected noise energy^2 is noise_gain times
            the noise power.
    """
    x, y = np.meshgrid(_centred_range(cols), _centred_range(rows))
    radius_c = np.sqrt(x**2 + y**2)
    radius = np.fft.ifftshift(radius_c)
    theta = np.fft.ifftshift(np.arctan2(-y, x))
    radius[0, 0] = 1.0  # log(0) guard; the filters are set to 0 there below
    sintheta, costheta = np.sin(theta), np.cos(theta)

    lowpass = np.fft.ifftshift(1.0 / (1.0 + (radius_c / _LOWPASS_CUTOFF) ** (2 * _LOWPASS_ORDER)))
    log_gabor = []
    for s in range(_NSCALE):
        fo = 1.0 / (_MIN_WAVELENGTH * _MULT**s)  # centre frequency
        lg = np.exp(-(np.log(radius / fo) ** 2) / (2 * math.log(_SIGMA_ON_F) ** 2)) * lowpass
        lg[0, 0] = 0.0
        log_gabor.append(lg)

    theta_sigma = math.pi / _NORIENT / _DTHETA_ON_SIGMA
    filters = np.empty((_NORIENT, _NSCALE, rows, cols))
    for o in range(_NORIENT):
        angle = o * math.pi / _NORIENT
        ds = sintheta * math.cos(angle) - costheta * math.sin(angle)
        dc = costheta * math.cos(angle) + sintheta * math.sin(angle)
        spread = np.exp(-(np.abs(np.arctan2(ds, dc)) ** 2) / (2 * theta_sigma**2))
        for s in range(_NSCALE):
            filters[o, s] = log_gabor[s] * spread

    em_n = (filters[:, 0] ** 2).sum(axis=(-2, -1))
    spatial = np.fft.ifft2(filters).real * math.sqrt(rows * cols)  # (O, S, rows, cols)
    sum_an2 = (spatial**2).sum(axis=(1, 2, 3))
    sum_aiaj = np.zeros(_NORIENT)
    for si in range(_NSCALE - 1):
        for sj in range(si + 1, _NSCALE):
            sum_aiaj += (spatial[:, si] * spatial[:, sj]).sum(axis=(-2, -1))
    noise_gain = 2 * sum_an2 + 4 * sum_aiaj
    filters = filters.astype(np.float32)  # applied in single precision (see _phase_congruency)
    for arr in (filters, em_n, noise_gain):
        arr.flags.writeable = False
    return filters, em_n, noise_gain


def _phase_congruency(images: np.ndarray) -> np.ndarray:
    """Phase congruency (Kovesi's PC_2, as in FeatureSIM.m) of (N, H, W) images."""
    n, rows, cols = images.shape
    filters, em_n, noise_gain = _pc_filters(rows, cols)
    # The filters are zero at zero frequency, so removing the mean changes
    # nothing but rounding; a constant image gets exactly zero responses.
    # The FFTs and the per-pixel products run in single precision (complex64),
    # faster than double, and FSIM moves far below the 3 or 4 decimals
    # reported (docs/performance.md); the sums over pixels and the noise
    # statistics stay in double.
    spectrum = np.fft.fft2((images - images.mean(axis=(-2, -1), keepdims=True)).astype(np.float32))
    spectrum[np.ptp(images, axis=(-2, -1)) == 0] = 0.0
    energy_all = np.zeros((n, rows, cols))
    an_all = np.zeros((n, rows, cols))
    # Noise threshold per unit of Rayleigh parameter tau: mean + k sigma of
    # the Rayleigh noise energy, with Kovesi's empirical PC_2 rescaling.
    t_per_tau = (math.sqrt(math.pi / 2) + _NOISE_K * math.sqrt(2 - math.pi / 2)) / _PC2_NOISE_RESCALE
    for o in range(_NORIENT):
        eo = np.fft.ifft2(spectrum[:, None] * filters[o][None])  # (N, S, rows, cols), complex64
        amplitude = np.abs(eo)  # even + i odd responses, and their amplitudes
        # The weighted mean phase (MeanE + i MeanO), then per scale
        # E MeanE + O MeanO - |E MeanO - O MeanE| = Re(z) - |Im(z)|,
        # z = (E + i O)(MeanE - i MeanO).
        total = eo.sum(axis=1)
        mean_phase = total / (np.abs(total) + _EPSILON)
        z = eo * mean_phase.conj()[:, None]
        energy = (z.real - np.abs(z.imag)).sum(axis=1)
        # Noise: from the median squared amplitude at the smallest scale.
        median_e2n = np.median((amplitude[:, 0].astype(np.float64) ** 2).reshape(n, -1), axis=1)
        mean_e2n = -median_e2n / math.log(0.5)
        noise_power = mean_e2n / em_n[o]
        tau = np.sqrt(noise_power * noise_gain[o] / 2)
        threshold = (tau * t_per_tau)[:, None, None]
        energy_all += np.maximum(energy - threshold, 0.0)
        an_all += amplitude.sum(axis=1)
    out = np.zeros_like(energy_all)
    np.divide(energy_all, an_all, out=out, where=an_all > 0)  # featureless: 0
    return out


def _conv2_same(images: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """MATLAB ``conv2(image, kernel, 'same')`` (zero padding) on (N, H, W)."""
    kr, kc = kernel.shape
    _, rows, cols = images.shape
    padded = np.pad(images, ((0, 0), (kr - 1, kr - 1), (kc - 1, kc - 1)))
    r0, c0 = kr // 2, kc // 2  # where MATLAB's 'same' cuts the full result
    out = np.zeros_like(images)
    for a in range(kr):
        for b in range(kc):
            if kernel[a, b]:  # out[i, j] += k[a, b] * image[i + r0 - a, j + c0 - b]
                top, left = r0 + kr - 1 - a, c0 + kc - 1 - b
                out += kernel[a, b] * padded[:, top : top + rows, left : left + cols]
    return out


def _matlab_round(value: float) -> int:
    """MATLAB's ``round``: halves away from zero (Python's rounds to even)."""
    return int(math.floor(abs(value) + 0.5)) * (1 if value >= 0 else -1)


_SCHARR_DX = np.array([[3, 0, -3], [10, 0, -10], [3, 0, -3]]) / 16
_SCHARR_DY = _SCHARR_DX.T.copy()


def _fsim_batch(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    n, rows, cols = a.shape
    both = np.concatenate([a, b]) * 255.0
    f = max(1, _matlab_round(min(rows, cols) / 256))
    if f > 1:  # FxF average, then every F-th pixel, as FeatureSIM.m
        both = _conv2_same(both, np.full((f, f), 1.0 / (f * f)))[:, ::f, ::f]
    pc = _phase_congruency(both)
    grad = np.hypot(_conv2_same(both, _SCHARR_DX), _conv2_same(both, _SCHARR_DY))
    pc1, pc2, g1, g2 = pc[:n], pc[n:], grad[:n], grad[n:]
    s_pc = (2 * pc1 * pc2 + _T1) / (pc1**2 + pc2**2 + _T1)
    s_g = (2 * g1 * g2 + _T2) / (g1**2 + g2**2 + _T2)
    pcm = np.maximum(pc1, pc2)
    s_l = s_pc * s_g
    weight = pcm.sum(axis=(1, 2))
    weighted = (s_l * pcm).sum(axis=(1, 2))
    # Neither image has any phase congruency (both constant, say): 0/0; use
    # uniform weights instead, which still gives 1 for identical images.
    uniform = s_l.mean(axis=(1, 2))
    return np.where(weight > 0, weighted / np.where(weight > 0, weight, 1.0), uniform)


def fsim(x: Any, y: Any) -> np.ndarray:
    """FSIM (grey, no chroma term) of Zhang, Zhang, Mou & Zhang, IEEE TIP 20(8), 2011.

    A faithful numpy port of the authors' ``FeatureSIM.m``: the images are
    scaled to [0, 255], averaged and subsampled by F = max(1, round(min(H, W)
    / 256)), their phase congruency PC computed as in Kovesi's ``phasecong2``
    (4 scales, 4 orientations) and their gradient magnitude G with the Scharr
    operator; then ``FSIM = sum(S_PC S_G PC_m) / sum(PC_m)`` with
    ``PC_m = max(PC_x, PC_y)``, T1 = 0.85, T2 = 160. Symmetric in x and y;
    1 for identical images. Where neither image has any phase congruency
    (both constant) the mean of S_PC S_G is returned instead of 0/0.

    Args:
        x, y: grey images in [0, 1], (H, W), (H, W, 1) or (N, H, W, 1), same shape.

    Returns:
        (N,) float64, one FSIM per image pair, in (0, 1].
    """
    a, b = _pair(x, y, min_size=2)
    starts = range(0, len(a), _FSIM_CHUNK)
    # numpy's FFTs release the GIL: the chunks run on every core, in order
    with ThreadPoolExecutor(max_workers=min(len(starts), os.cpu_count() or 1, 8) or 1) as pool:
        return np.concatenate(list(pool.map(lambda i: _fsim_batch(a[i : i + _FSIM_CHUNK], b[i : i + _FSIM_CHUNK]),
                                            starts)))


# --------------------------------------------------------------------------
# SSIM, PSNR, L1


def ssim(x: Any, y: Any) -> np.ndarray:
    """SSIM of Wang, Bovik, Sheikh & Simoncelli, IEEE TIP 13(4), 2004.

    By ``tf.image.ssim`` with the paper's settings: an 11x11 Gaussian window
    of sigma 1.5, K1 = 0.01, K2 = 0.03, maximum value 1.0, averaged over the
    positions where the window fits inside the image (so images need at
    least 11x11 pixels). Symmetric; 1 for identical images. TensorFlow
    computes in float32: values differ from float64 implementations (such as
    scikit-image's ``structural_similarity`` with ``gaussian_weights=True,
    sigma=1.5, use_sample_covariance=False``) by about 1e-4 at most.

    Args:
        x, y: grey images in [0, 1], (H, W), (H, W, 1) or (N, H, W, 1), same shape.

    Returns:
        (N,) float64, one SSIM per image pair, in [-1, 1].
    """
    import tensorflow as tf

    a, b = _pair(x, y, min_size=11)
    value = tf.image.ssim(
        tf.constant(a[..., None]), tf.constant(b[..., None]),
        max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
    )
    return np.asarray(value, dtype=np.float64).reshape(-1)


def psnr(x: Any, y: Any) -> np.ndarray:
    """Peak signal-to-noise ratio in dB, ``10 log10(1 / MSE)``, by
    ``tf.image.psnr(max_val=1.0)``.

    Identical images (MSE 0) give ``+inf``; average PSNRs over a test set
    with care (or report the mean MSE instead). Computed in float32.

    Args:
        x, y: grey images in [0, 1], (H, W), (H, W, 1) or (N, H, W, 1), same shape.

    Returns:
        (N,) float64, one PSNR per image pair.
    """
    import tensorflow as tf

    a, b = _pair(x, y)
    value = tf.image.psnr(tf.constant(a[..., None]), tf.constant(b[..., None]), max_val=1.0)
    return np.asarray(value, dtype=np.float64).reshape(-1)


def l1(x: Any, y: Any) -> np.ndarray:
    """Mean absolute error per image (the pix2pix L1 term, in [0, 1] units).

    Args:
        x, y: grey images in [0, 1], (H, W), (H, W, 1) or (N, H, W, 1), same shape.

    Returns:
        (N,) float64, in [0, 1]; 0 for identical images.
    """
    a, b = _pair(x, y)
    return np.abs(a - b).mean(axis=(1, 2))


def colour_psnr(x: Any, y: Any) -> np.ndarray:
    """PSNR in dB of colour images over all three channels, ``10 log10(1 /
    MSE)`` (for generated photos; the other metrics compare grey images).

    Args:
        x, y: RGB images in [0, 1], (H, W, 3) or (N, H, W, 3), same shape.

    Returns:
        (N,) float64, one PSNR per image pair.
    """
    a, b = (np.asarray(v, dtype=np.float64) for v in (x, y))
    for name, arr in (("x", a), ("y", b)):
        if arr.ndim not in (3, 4) or arr.shape[-1] != 3:
            raise ValueError(f"{name}: shape {arr.shape} is not RGB (H, W, 3) or (N, H, W, 3); "
                             "for grey images use psnr.")
        if not np.isfinite(arr).all() or arr.min() < -_RANGE_SLACK or arr.max() > 1 + _RANGE_SLACK:
            raise ValueError(f"{name}: values must lie in [0, 1] (shape {arr.shape}).")
    if a.shape != b.shape:
        raise ValueError(f"x and y differ in shape: {a.shape} vs {b.shape}.")
    a, b = a.reshape(-1, *a.shape[-3:]), b.reshape(-1, *b.shape[-3:])
    mse = ((a - b) ** 2).mean(axis=(1, 2, 3))
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(1.0 / mse)


def gradient_magnitude(x: Any) -> np.ndarray:
    """Mean Sobel gradient magnitude per image: how much edge (pencil
    stroke) an image holds.

    Args:
        x: grey images in [0, 1], (H, W), (H, W, 1) or (N, H, W, 1).

    Returns:
        (N,) float64; 0 for a flat image.
    """
    import tensorflow as tf

    a = _as_batch(x, "x")
    edges = tf.image.sobel_edges(tf.constant(a[..., None], tf.float32)).numpy()  # (N, H, W, 1, 2)
    return np.sqrt((edges.astype(np.float64) ** 2).sum(axis=-1)).mean(axis=(1, 2, 3))


def sharpness(generated: Any, real: Any) -> float:
    """How sharp the generated sketches are next to the real ones: the mean
    :func:`gradient_magnitude` of ``generated`` over that of ``real``.

    1.0 means as much stroke detail as the artist's sketches; a blurry
    (L1-trained) generator lands well below. Resizing costs sharpness too:
    the artist's own sketches squeezed to a model's size and back score
    below 1, the ceiling of a model working at that size (notebook 04
    measures it).

    Args:
        generated, real: batches (N, H, W, 1) in [0, 1].

    Returns:
        The ratio, >= 0.
    """
    real_mean = float(gradient_magnitude(real).mean())
    if real_mean == 0:
        raise ValueError("the real images are flat (no gradient); sharpness is undefined.")
    return float(gradient_magnitude(generated).mean()) / real_mean


# Paper noise: the artist's blank paper is where the sketch is at least this light ...
_PAPER_LEVEL = 0.9
# ... in every pixel this close (a square of side 2 x 4 + 1): stroke edges, their
# anti-aliasing and most of the JPEG ringing around them stay out.
_PAPER_MARGIN = 4
_LAPLACIAN = np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])


def _paper(real: np.ndarray) -> np.ndarray:
    """Where the artist left blank paper in (N, H, W) sketches: (N, H, W) bool,
    True where the darkest pixel within :data:`_PAPER_MARGIN` is at least
    :data:`_PAPER_LEVEL`; never in the outer margin (the Laplacian's zero
    padding is there)."""
    side, m = 2 * _PAPER_MARGIN + 1, _PAPER_MARGIN
    windows = np.lib.stride_tricks.sliding_window_view
    darkest = windows(windows(real, side, axis=1).min(axis=-1), side, axis=2).min(axis=-1)
    paper = np.zeros(real.shape, dtype=bool)
    paper[:, m:-m, m:-m] = darkest >= _PAPER_LEVEL
    return paper


def paper_noise(generated: Any, real: Any) -> float:
    """The texture the generated sketches draw where the artist left blank
    paper, next to the artist's own: the mean absolute Laplacian (a 3x3
    high-pass) of ``generated`` over the artist's paper, divided by that of
    ``real``.

    1.0 means as clean as the artist's paper (its pencil grain, scanning and
    JPEG noise); above 1, the generator draws texture there, such as the grid
    of transposed convolutions or speckle, which FSIM hardly sees; below 1,
    smoother (flat white paper scores 0). Paper is where every pixel of the
    artist's sketch within 4 pixels is near-white (>= 0.9), so strokes, and
    anything drawn on them, do not count. One mean over the paper pixels of
    the whole set, not a ratio per pair: a face with little paper, or with
    nearly perfectly clean paper, cannot make it explode. Absolute values, not
    squares: a stroke drawn a few pixels off must not outweigh thousands of
    paper pixels.

    Args:
        generated, real: batches (N, H, W, 1) in [0, 1] of the same shape,
            row i the same person.

    Returns:
        The ratio, >= 0.
    """
    g, r = _pair(generated, real, min_size=2 * _PAPER_MARGIN + 1, names=("generated", "real"))
    paper = _paper(r)
    if not paper.any():
        side = 2 * _PAPER_MARGIN + 1
        raise ValueError(f"real: no blank paper (no {side}x{side} square of pixels all at least {_PAPER_LEVEL}); "
                         "paper noise is undefined.")
    real_mean = float(np.abs(_conv2_same(r, _LAPLACIAN))[paper].mean())
    if real_mean == 0:
        raise ValueError("the real images' paper is perfectly flat (no texture); paper noise is undefined.")
    return float(np.abs(_conv2_same(g, _LAPLACIAN))[paper].mean()) / real_mean


def spread(images: Any) -> float:
    """How different the images of a batch are from each other: the standard
    deviation across the batch of each pixel, averaged over the pixels.

    A GAN whose samples all look alike (mode collapse) has a spread near 0;
    compare it with the spread of a batch of real images.

    Args:
        images: a batch (N, H, W, 1) in [0, 1], N >= 2.

    Returns:
        The mean per-pixel standard deviation, in [0, 0.5].
    """
    batch = _as_batch(images, "images")
    if len(batch) < 2:
        raise ValueError(f"spread needs a batch of at least 2 images, got {len(batch)}.")
    return float(batch.std(axis=0).mean())


# --------------------------------------------------------------------------
# Recognition


def rank1(generated: Any, real: Any) -> float:
    """Rank-1 recognition rate: the fraction of generated sketches whose
    nearest real sketch is their own partner (``generated[i]`` pairs with
    ``real[i]``), as in Wang & Tang, IEEE TPAMI 31(11), 2009.

    "Nearest" is the smallest Euclidean distance between standardised images
    (each image minus its mean, divided by its standard deviation), which
    ranks exactly as the highest Pearson correlation of the pixels: cheap,
    and blind to a sketch being overall lighter, darker or of lower contrast.
    A hit needs the partner to be strictly nearest: a tie with another real
    sketch (up to a relative 1e-9, float rounding) counts as a miss. A
    constant image standardises to all zeros.

    Args:
        generated, real: batches (N, H, W, 1) in [0, 1] of the same shape, N >= 2.

    Returns:
        The hit rate, in [0, 1]; chance level is 1 / N.
    """
    g, r = _as_batch(generated, "generated"), _as_batch(real, "real")
    if g.shape != r.shape:
        raise ValueError(
            f"generated and real differ in shape: {_shape(generated)} vs "
            f"{_shape(real)}; rank1 needs one real sketch per generated one, same size."
        )
    n = len(g)
    if n < 2:
        raise ValueError(f"rank1 needs at least 2 pairs to choose from, got {n}.")

    def standardise(batch: np.ndarray) -> np.ndarray:
        flat = batch.reshape(n, -1)
        flat = flat - flat.mean(axis=1, keepdims=True)
        std = flat.std(axis=1, keepdims=True)
        return np.divide(flat, std, out=np.zeros_like(flat), where=std > 0)

    gs, rs = standardise(g), standardise(r)
    # ||g - r||^2 = |g|^2 + |r|^2 - 2 g.r
    dist = (gs**2).sum(1)[:, None] + (rs**2).sum(1)[None, :] - 2 * gs @ rs.T
    own = np.diag(dist).copy()
    np.fill_diagonal(dist, np.inf)
    nearest_other = dist.min(axis=1)
    tol = 1e-9 * gs.shape[1]  # distances are of the order of the pixel count
    return float(np.mean(own < nearest_other - tol))
