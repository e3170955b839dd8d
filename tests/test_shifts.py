"""The photo shifts of the robustness suite, the backdrop mask, and evaluate_shifts on a few toy faces."""

from __future__ import annotations

import numpy as np
import pytest

from sketchlab import shifts
from sketchlab.data import load_cufs
from sketchlab.evaluation import SHIFT_METRICS, evaluate_shifts, generate, real_photos


@pytest.fixture(scope="module")
def pairs(toy_dir):
    return load_cufs(toy_dir).split("test")[:4]


@pytest.fixture(scope="module")
def photos(pairs):
    return real_photos(pairs)


@pytest.fixture(scope="module")
def model():
    from sketchlab.models import unet

    return unet(image_size=32, filters=8, max_filters=32)


def test_the_registry_follows_the_issue_order():
    groups = [name.split(":")[0] for name in shifts.SHIFTS]
    assert list(dict.fromkeys(groups)) == ["backdrop", "light", "camera", "framing", "black and white"]


@pytest.mark.parametrize("name", list(shifts.SHIFTS))
def test_each_shift_is_repeatable_keeps_shape_and_range_and_changes_the_photo(name, photos):
    shift = shifts.SHIFTS[name]
    once, again = shift(photos, 3), shift(photos, 3)
    np.testing.assert_array_equal(once, again)
    assert once.shape == photos.shape and once.min() >= 0 and once.max() <= 1
    assert np.abs(once - photos).mean() > 0.005
    # a face is shifted the same whatever batch it is in
    np.testing.assert_allclose(shift(photos[:1], 3), once[:1], atol=1e-12)


def test_black_and_white_has_equal_channels(photos):
    grey = shifts.SHIFTS["black and white"](photos, 0)
    np.testing.assert_array_equal(grey[..., 0], grey[..., 1])
    np.testing.assert_array_equal(grey[..., 0], grey[..., 2])


def test_random_shifts_change_with_the_seed(photos):
    for name in ("backdrop: textured", "camera: noise", "framing: shift", "framing: rotate"):
        assert not np.array_equal(shifts.SHIFTS[name](photos, 0), shifts.SHIFTS[name](photos, 1)), name


def test_the_backdrop_mask_finds_the_toy_faces_blue_background(photos):
    mask = shifts.backdrop_mask(photos)
    assert mask.shape == photos.shape[:3] and mask.dtype == bool
    assert mask[:, :5].all() and mask[:, 60:100, :10].all()  # the top rows, the sides beside the face
    assert not mask[:, 110:140, 80:120].any()  # the face's middle
    assert not mask[:, -5:, 90:110].any()  # the shirt at the bottom
    blue = photos[..., 2] - photos[..., 0] > 0.2
    assert (mask == blue)[:, :150].mean() > 0.97  # above the shoulders the backdrop is the blue


def test_a_replaced_backdrop_is_the_new_colour_and_the_face_stays(photos):
    white = shifts.SHIFTS["backdrop: white"](photos, 0)
    np.testing.assert_allclose(white[:, 2, 100], np.broadcast_to(shifts.WHITE, (len(photos), 3)), atol=1e-6)
    np.testing.assert_array_equal(white[:, 110:140, 80:120], photos[:, 110:140, 80:120])


def test_on_the_clean_photos_the_model_sees_what_the_test_pipeline_gives(model, pairs, photos):
    from sketchlab.faces import translate

    sketches = translate(model, np.round(photos * 255).astype(np.uint8))
    reference = np.round(generate(model, pairs)[..., 0] * 255).astype(int)
    assert np.abs(sketches.astype(int) - reference).max() <= 1


def test_evaluate_shifts_scores_the_model_and_the_grey_photo_under_every_shift(model, pairs, monkeypatch):
    from sketchlab import metrics

    # FSIM is checked in test_metrics; a stand-in as cheap as L1 keeps 2 x 19 scorings quick
    monkeypatch.setattr(metrics, "fsim", lambda x, y: 1 - np.abs(x - y).mean(axis=(1, 2, 3)))
    lines = []
    result = evaluate_shifts(model, pairs[:2], progress=lines.append)
    assert list(result) == ["clean", *shifts.SHIFTS]
    for name, scores in result.items():
        assert set(scores) == {"model", "baseline"}, name
        for side in scores.values():
            assert set(side) == set(SHIFT_METRICS) and all(np.isfinite(list(side.values()))), name
    assert len(lines) == len(result) and lines[-1].startswith(f"sketching and scoring shifted photos: {len(result)}/")
    assert result["backdrop: white"]["baseline"] != result["clean"]["baseline"]
    one = evaluate_shifts(model, pairs[:2], {"light: darker": shifts.SHIFTS["light: darker"]})
    assert one == {name: result[name] for name in ("clean", "light: darker")}
