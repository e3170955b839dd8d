"""How well face alignment reproduces the CUFS frame, on the official crops.

    python benchmarks/alignment.py [--data ../shared/cufs] [--limit N] [--json]
    python benchmarks/alignment.py --measure-template [--data ../shared/cufs]

DATA is the unzipped CUFS mirror (its ``photos/``: 188 aligned 200x250
crops). For each crop:

(a) re-align it (MTCNN, then the similarity fit to ``faces.TEMPLATE``) and
    compare the result with the crop itself: SSIM on 8-bit grey
    (``sketchlab.metrics.ssim``), 1 for a perfect round trip;
(b) move it by a known similarity about the frame's centre (shift (8, -6)
    px, scale 1.1, rotation 7 degrees, edges repeated), then re-align it:
    SSIM of the moved crop against the original (before) and of the
    re-aligned one against the original (after).

Prints the mean and the smallest SSIM of each; the SSIM of the re-aligned
moved crop against the re-aligned crop (does alignment put both in the same
place?); for scale, the SSIM of each crop against itself shifted by 1 px (on
these sharp crops SSIM falls fast with a shift, so it measures alignment to
the pixel); the mean distance of the re-aligned eyes from the template's;
the crops where no face was found; the time per crop (``--json``: one
object).

``--measure-template`` instead prints the median and the spread of MTCNN's
five landmarks over the photos (and the sketches): the numbers kept as
``sketchlab.faces.TEMPLATE``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

import sketchlab  # noqa: F401  (quiets TensorFlow's C++ log before it loads)
from sketchlab import faces, metrics
from sketchlab.data import IMAGE_HEIGHT, IMAGE_WIDTH, PHOTO_DIR, SKETCH_DIR, DataError, find_root, list_images

SHIFT = (8.0, -6.0)  # px, x and y
SCALE = 1.1
ROTATION = 7.0  # degrees, counter-clockwise on screen


def perturbation(shift=SHIFT, scale=SCALE, degrees=ROTATION) -> np.ndarray:
    """The (2, 3) similarity: rotate by ``degrees`` and scale about the frame's
    centre, then shift."""
    angle = np.radians(-degrees)  # y grows downwards
    rotation = scale * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    centre = np.array([(IMAGE_WIDTH - 1) / 2, (IMAGE_HEIGHT - 1) / 2])
    return np.hstack([rotation, (centre - rotation @ centre + np.asarray(shift))[:, None]])


def grey(image: np.ndarray) -> np.ndarray:
    return metrics.to_grey(image, eight_bit=True)


def run(root: Path, limit: int | None) -> dict:
    files = list_images(root / PHOTO_DIR)[:limit]
    moved_by = perturbation()
    same, before, after, consistent, shifted, eye_error, missed = [], [], [], [], [], [], []
    one_pixel = np.hstack([np.eye(2), [[1.0], [0.0]]])
    start = time.perf_counter()
    for path in files:
        crop = faces.load_image(path)
        moved = faces.warp(crop, moved_by)
        try:
            again, realigned = faces.align_face(crop, path.name), faces.align_face(moved, path.name)
        except faces.FaceError:
            missed.append(path.name)
            continue
        same.append(metrics.ssim(grey(again.image), grey(crop))[0])
        before.append(metrics.ssim(grey(moved), grey(crop))[0])
        after.append(metrics.ssim(grey(realigned.image), grey(crop))[0])
        consistent.append(metrics.ssim(grey(realigned.image), grey(again.image))[0])
        shifted.append(metrics.ssim(grey(faces.warp(crop, one_pixel)), grey(crop))[0])
        eye_error.append(np.linalg.norm(realigned.landmarks[:2] - faces.TEMPLATE[:2], axis=1).mean())
    seconds = (time.perf_counter() - start) / max(1, len(files))

    def summary(values):
        return {"mean": round(float(np.mean(values)), 4), "min": round(float(np.min(values)), 4)} if values else None

    return {"n": len(files), "no_face": len(missed), "no_face_files": missed,
            "realigned": summary(same),
            "perturbation": {"shift_px": list(SHIFT), "scale": SCALE, "rotation_deg": ROTATION},
            "perturbed_before": summary(before), "perturbed_after": summary(after),
            "perturbed_after_vs_realigned": summary(consistent), "shifted_1px": summary(shifted),
            "perturbed_eye_error_px": round(float(np.mean(eye_error)), 2) if eye_error else None,
            "seconds_per_crop": round(seconds, 3)}


def measure_template(root: Path) -> None:
    for folder in (PHOTO_DIR, SKETCH_DIR):
        points, missed = [], 0
        for path in list_images(root / folder):
            image = faces.load_image(path)
            found = faces.detect_faces(image)
            if found:
                points.append(faces.mirrored_landmarks(image, found[0]))
            else:
                missed += 1
        points = np.array(points)
        print(f"{folder}/: {len(points)} with a face, {missed} without; median (x, y) and standard deviation, px")
        for name, median, spread in zip(faces.LANDMARKS, np.median(points, 0), points.std(0)):
            print(f"  {name:12} [{median[0]:6.2f}, {median[1]:6.2f}]   sd ({spread[0]:.2f}, {spread[1]:.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default="../shared/cufs", help="the unzipped CUFS folder (default: ../shared/cufs)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N photos")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--measure-template", action="store_true", help="print the landmarks' medians and spread")
    args = parser.parse_args()
    try:
        root = find_root(args.data)
    except DataError as err:
        sys.exit(f"error: {err}")
    if args.measure_template:
        measure_template(root)
        return
    result = run(root, args.limit)
    if args.json:
        print(json.dumps(result))
        return
    print(f"{result['n']} CUFS crops from {root / PHOTO_DIR}; no face found in {result['no_face']}"
          + (f" ({', '.join(result['no_face_files'])})" if result["no_face_files"] else ""))
    print(f"(a) re-aligned crop vs the crop:        SSIM mean {result['realigned']['mean']:.3f}, "
          f"min {result['realigned']['min']:.3f}")
    print(f"(b) moved by shift {SHIFT} px, scale {SCALE}, rotation {ROTATION} deg:")
    print(f"    moved crop vs the crop (before):    SSIM mean {result['perturbed_before']['mean']:.3f}, "
          f"min {result['perturbed_before']['min']:.3f}")
    print(f"    re-aligned vs the crop (after):     SSIM mean {result['perturbed_after']['mean']:.3f}, "
          f"min {result['perturbed_after']['min']:.3f}")
    print(f"    re-aligned vs the re-aligned crop:  SSIM mean {result['perturbed_after_vs_realigned']['mean']:.3f}, "
          f"min {result['perturbed_after_vs_realigned']['min']:.3f}")
    print(f"    eyes of the re-aligned crop: {result['perturbed_eye_error_px']:.2f} px from the template on average")
    print(f"for scale: each crop vs itself shifted by 1 px: SSIM mean {result['shifted_1px']['mean']:.3f}, "
          f"min {result['shifted_1px']['min']:.3f}")
    print(f"{result['seconds_per_crop'] * 1000:.0f} ms per crop (two alignments)")


if __name__ == "__main__":
    main()
