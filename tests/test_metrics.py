"""sketchlab.metrics: properties of FSIM, SSIM, PSNR, L1, rank-1, sharpness
and paper noise, and a few values checked against the established
implementations. Offline, no CUFS."""

from __future__ import annotations

import numpy as np
import pytest

from sketchlab import metrics
from sketchlab.metrics import fsim, l1, psnr, rank1, ssim, to_grey


def synthetic_pairs(h: int = 64, w: int = 80) -> tuple[np.ndarray, np.ndarray]:
    """Three deterministic (reference, distorted) pairs, (3, h, w, 1) each:
    additive noise, faded contrast, a small shift."""
    rng = np.random.default_rng(0)
    yy, xx = np.meshgrid(np.linspace(0, 1, h), np.linspace(0, 1, w), indexing="ij")
    face = 0.5 + 0.25 * np.sin(2 * np.pi * 3 * xx) * np.cos(2 * np.pi * 2 * yy)
    face += 0.2 * np.exp(-((xx - 0.5) ** 2 + (yy - 0.4) ** 2) / 0.02)
    face = np.where((xx - 0.3) ** 2 + (yy - 0.65) ** 2 < 0.01, 0.1, face)
    clean = np.clip(face + 0.03 * rng.standard_normal((h, w)), 0, 1)
    noisy = np.clip(clean + 0.1 * rng.standard_normal((h, w)), 0, 1)
    faded = 0.25 + 0.5 * clean
    shifted = np.roll(clean, (2, -3), axis=(0, 1))
    x = np.stack([clean, clean, clean])[..., None]
    y = np.stack([noisy, faded, shifted])[..., None]
    return x, y


# Computed once from synthetic_pairs with piq 0.8.0 (piq.fsim, data_range=1.0,
# chromatic=False, float64 tensors, torch 2.14.1) and scikit-image 0.26.0
# (structural_similarity, gaussian_weights=True, sigma=1.5,
# use_sample_covariance=False, data_range=1).
REFERENCE = {
    (64, 80): {"fsim": [0.746419, 0.867635, 0.855910], "ssim": [0.483593, 0.818616, 0.503461]},
    (63, 81): {"fsim": [0.748147, 0.867027, 0.860162], "ssim": [0.484856, 0.818702, 0.511888]},
}


@pytest.fixture(scope="module")
def pairs() -> tuple[np.ndarray, np.ndarray]:
    return synthetic_pairs()


@pytest.mark.parametrize("size", sorted(REFERENCE))
def test_fixed_values_match_piq_and_skimage(size):
    x, y = synthetic_pairs(*size)
    np.testing.assert_allclose(fsim(x, y), REFERENCE[size]["fsim"], atol=1e-3)
    np.testing.assert_allclose(ssim(x, y), REFERENCE[size]["ssim"], atol=1e-3)


def test_identical_images(pairs):
    x = pairs[0]
    np.testing.assert_allclose(fsim(x, x), 1.0, atol=1e-12)
    np.testing.assert_allclose(ssim(x, x), 1.0, atol=1e-6)
    np.testing.assert_array_equal(l1(x, x), 0.0)
    assert np.all(np.isposinf(psnr(x, x)))


def test_symmetric(pairs):
    x, y = pairs
    for metric in (fsim, ssim, l1, psnr):
        np.testing.assert_allclose(metric(x, y), metric(y, x), rtol=1e-6, err_msg=metric.__name__)


def test_more_noise_is_worse(pairs):
    clean = pairs[0][0]
    noise = np.random.default_rng(1).standard_normal(clean.shape)
    noisy = np.stack([np.clip(clean + s * noise, 0, 1) for s in (0.02, 0.05, 0.1, 0.2)])
    ref = np.repeat(clean[None], len(noisy), axis=0)
    for metric in (fsim, ssim, psnr):
        assert np.all(np.diff(metric(ref, noisy)) < 0), metric.__name__
    assert np.all(np.diff(l1(ref, noisy)) > 0)


@pytest.mark.parametrize("metric", [fsim, ssim, psnr, l1])
def test_shapes_and_batches(pairs, metric):
    x, y = pairs
    batch = metric(x, y)
    assert batch.shape == (3,) and batch.dtype == np.float64
    for i in range(3):
        for a, b in ((x[i, ..., 0], y[i, ..., 0]), (x[i], y[i]), (x[i : i + 1], y[i : i + 1])):
            one = metric(a, b)
            assert one.shape == (1,)
            np.testing.assert_allclose(one[0], batch[i], rtol=1e-6)


def test_tensorflow_and_float32_input(pairs):
    import tensorflow as tf

    x, y = pairs
    expected = fsim(x, y)
    got = fsim(tf.constant(x, tf.float32), tf.constant(y, tf.float32))
    np.testing.assert_allclose(got, expected, atol=1e-4)
    assert ssim(tf.constant(x), y).shape == (3,)


def test_featureless_images():
    grey, white = np.full((32, 40), 0.1), np.ones((32, 40))
    assert fsim(grey, grey)[0] == pytest.approx(1.0)
    value = fsim(grey, white)[0]
    assert np.isfinite(value) and 0 < value < 1


def test_downsampled_fsim():
    # min(H, W) = 520 -> F = round(2.03) = 2: averaged and subsampled first.
    x = synthetic_pairs(520, 540)[0][:1]
    assert fsim(x, x)[0] == pytest.approx(1.0)
    assert [metrics._matlab_round(v) for v in (0.49, 0.5, 1.5, 2.5)] == [0, 1, 2, 3]


@pytest.mark.parametrize(
    "x, y, words",
    [
        (np.zeros((20, 20)), np.zeros((20, 21)), ["x and y differ in shape", "(20, 20)", "(20, 21)"]),
        (np.zeros((20, 20, 3)), np.zeros((20, 20, 3)), ["x:", "3 channels", "to_grey"]),
        (np.zeros(20), np.zeros(20), ["x:", "rank 1", "(N, H, W, 1)"]),
        (np.zeros((1, 2, 20, 20, 1)), np.zeros((1, 2, 20, 20, 1)), ["rank 5"]),
        (np.zeros((20, 20)), np.full((20, 20), 2.0), ["y:", "[0, 1]", "2"]),
        (np.zeros((20, 20)), np.full((20, 20), 200.0), ["y:", "divide by 255"]),
        (np.full((20, 20), -0.5), np.zeros((20, 20)), ["x:", "(image + 1) / 2"]),
        (np.full((20, 20), np.nan), np.zeros((20, 20)), ["x:", "NaN"]),
        (np.zeros((20, 20), np.uint8), np.zeros((20, 20), np.uint8), ["x:", "uint8", "/ 255"]),
    ],
)
def test_bad_input_explained(x, y, words):
    for metric in (fsim, ssim, psnr, l1):
        with pytest.raises(ValueError) as err:
            metric(x, y)
        for word in words:
            assert word in str(err.value), (metric.__name__, str(err.value))


def test_ssim_needs_the_window():
    with pytest.raises(ValueError, match="at least 11x11"):
        ssim(np.zeros((8, 30)), np.zeros((8, 30)))


def test_rank1():
    rng = np.random.default_rng(0)
    real = rng.random((6, 24, 20, 1))
    assert rank1(real, real) == 1.0
    assert rank1(np.clip(real + 0.05 * rng.standard_normal(real.shape), 0, 1), real) == 1.0
    assert rank1(np.roll(real, 1, axis=0), real) == 0.0  # nobody gets their own
    twins = real.copy()
    twins[1] = twins[0]  # two identical real sketches: a tie, not a hit
    assert rank1(twins, twins) == pytest.approx(4 / 6)
    with pytest.raises(ValueError, match="at least 2"):
        rank1(real[:1], real[:1])
    with pytest.raises(ValueError, match="generated and real differ"):
        rank1(real[:3], real[:4])


def test_to_grey():
    from PIL import Image

    rgb = np.random.default_rng(0).integers(0, 256, (2, 9, 7, 3), dtype=np.uint8)
    grey = to_grey(rgb)
    assert grey.shape == (2, 9, 7, 1)
    np.testing.assert_allclose(grey[..., 0], (rgb @ [0.299, 0.587, 0.114]) / 255)
    np.testing.assert_allclose(to_grey(rgb / 255.0), grey)
    pil = np.stack([np.asarray(Image.fromarray(im).convert("L")) for im in rgb])
    np.testing.assert_array_equal(to_grey(rgb, eight_bit=True)[..., 0] * 255, pil)
    assert to_grey(grey[0]).shape == (9, 7, 1)
    with pytest.raises(ValueError, match="alpha"):
        to_grey(np.zeros((4, 4, 4)))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        to_grey(np.full((4, 4, 3), 3.0))


def test_sharpness_is_one_for_the_real_images_and_falls_with_blur(pairs):
    real = pairs[1]
    # a 5x5 box blur
    padded = np.pad(real, ((0, 0), (2, 2), (2, 2), (0, 0)), mode="edge")
    blurred = sum(padded[:, i : i + real.shape[1], j : j + real.shape[2]] for i in range(5) for j in range(5)) / 25
    assert metrics.sharpness(real, real) == pytest.approx(1)
    assert metrics.sharpness(blurred, real) < 0.8
    assert metrics.gradient_magnitude(np.full((20, 20), 0.3))[0] == 0
    with pytest.raises(ValueError, match="flat"):
        metrics.sharpness(real, np.zeros_like(real))


def sketches(n: int = 3, h: int = 60, w: int = 48) -> np.ndarray:
    """Pencil-like sketches, 8-bit levels: light paper with a faint grain, a
    dark ring (the face) and a line (the mouth), (n, h, w, 1)."""
    rng = np.random.default_rng(2)
    yy, xx = np.mgrid[:h, :w]
    ring = np.abs(np.hypot(yy - h / 2, xx - w / 2) - w / 3) < 1.5
    strokes = ring | ((np.abs(yy - 0.6 * h) < 1) & (np.abs(xx - w / 2) < w / 8))
    paper = 0.96 + 0.01 * rng.standard_normal((n, h, w))
    return np.round(np.clip(np.where(strokes, 0.3, paper), 0, 1) * 255)[..., None] / 255


def checkerboard(shape: tuple[int, ...], period: int) -> np.ndarray:
    """+-1 in squares of half the period: the grid transposed convolutions draw."""
    yy, xx = np.indices(shape[1:3])
    return np.where((yy // (period // 2) + xx // (period // 2)) % 2, 1.0, -1.0)[None, ..., None]


def test_paper_noise_is_one_for_the_artist_and_rises_with_a_grid_or_speckle():
    real = sketches()
    paper = real >= 0.9
    assert metrics.paper_noise(real, real) == pytest.approx(1, abs=1e-12)
    for period in (2, 4):
        gridded = np.where(paper, real + 0.025 * checkerboard(real.shape, period), real)  # 0.05 peak to peak
        assert metrics.paper_noise(np.clip(gridded, 0, 1), real) > 1.3, period
    speckled = np.where(paper, real + 0.02 * np.random.default_rng(0).standard_normal(real.shape), real)
    assert metrics.paper_noise(np.clip(speckled, 0, 1), real) > 1.3
    assert metrics.paper_noise(np.where(paper, 1.0, real), real) < 1  # blank white paper: 0


def test_paper_noise_ignores_the_strokes():
    real = sketches()
    noise = 0.2 * np.random.default_rng(0).standard_normal(real.shape)
    on_strokes = np.clip(np.where(real < 0.9, real + noise, real), 0, 1)
    assert metrics.paper_noise(on_strokes, real) == pytest.approx(1, abs=1e-12)


def test_paper_noise_input_explained():
    real = sketches()
    with pytest.raises(ValueError, match=r"generated and real differ in shape: \(2, 60, 48, 1\) vs \(3, 60, 48, 1\)"):
        metrics.paper_noise(real[:2], real)
    with pytest.raises(ValueError, match="generated: shape .* has 3 channels"):
        metrics.paper_noise(np.repeat(real, 3, axis=-1), real)
    with pytest.raises(ValueError, match=r"real: values must lie in \[0, 1\]"):
        metrics.paper_noise(real, real * 255)
    with pytest.raises(ValueError, match="too small"):
        metrics.paper_noise(real[:, :8], real[:, :8])
    with pytest.raises(ValueError, match="real: no blank paper"):
        metrics.paper_noise(real, np.zeros_like(real))
    with pytest.raises(ValueError, match="perfectly flat"):
        metrics.paper_noise(real, np.ones_like(real))


def test_spread_is_zero_for_identical_images_and_grows_with_difference():
    rng = np.random.default_rng(0)
    same = np.repeat(rng.random((1, 16, 16, 1)), 8, axis=0)
    different = rng.random((8, 16, 16, 1))
    assert metrics.spread(same) == pytest.approx(0, abs=1e-12)
    assert metrics.spread(different) == pytest.approx(np.sqrt(1 / 12), rel=0.1)  # std of U(0, 1)
    with pytest.raises(ValueError, match="at least 2"):
        metrics.spread(different[:1])


def test_colour_psnr_uses_all_three_channels():
    a = np.zeros((2, 4, 4, 3))
    b = a.copy()
    b[0, ..., 2] = 0.1  # one channel off by 0.1: MSE 0.01 / 3
    assert metrics.colour_psnr(a, b)[0] == pytest.approx(10 * np.log10(3 / 0.01))
    assert metrics.colour_psnr(a, b)[1] == np.inf
    with pytest.raises(ValueError, match="not RGB"):
        metrics.colour_psnr(a[..., :1], b[..., :1])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        metrics.colour_psnr(a + 2, b)


def test_empty_batches_text_and_wide_integers_are_explained():
    for metric in (fsim, ssim, psnr, l1):
        with pytest.raises(ValueError, match=r"x: the batch is empty \(shape \(0, 20, 20, 1\)\)"):
            metric(np.zeros((0, 20, 20, 1)), np.zeros((0, 20, 20, 1)))
        with pytest.raises(ValueError, match="x: expected a numeric image array, got dtype <U1"):
            metric(np.full((20, 20), "a"), np.zeros((20, 20)))
    with pytest.raises(ValueError, match=r"image: integer images must be 8-bit, in \[0, 255\]; got \[0, 300\]"):
        to_grey(np.array([[[0, 300, 0]]], np.int32))
