"""Check sketchlab's FSIM and SSIM against the reference figures of CUFS.

    python benchmarks/metrics_check.py --data DIR [--reference TSV] [--grey 8bit|float]

DIR is the unzipped CUFS mirror. The reference table (``photo sketch fsim
ssim``, one row per test pair; by default ``DIR/metrics_reference.tsv``) gives
FSIM and SSIM of each grey photo against its sketch, computed with
established implementations (``piq.fsim``, scikit-image's SSIM). Both
images are compared in grey at 200x250, in [0, 1]; ``--grey 8bit`` (the
default, which reproduces the table) rounds the grey to 8 bits exactly as
Pillow's ``convert("L")`` does, ``--grey float`` keeps the exact BT.601 luma.

Prints the mean of each metric (ours and the table's), the mean and largest
absolute difference, the time per pair, and PASS (exit 0) or FAIL (exit 1)
against a mean absolute difference of at most 0.002 for each metric.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

import sketchlab  # noqa: F401  (quiets TensorFlow's C++ log before it loads)
from sketchlab import metrics
from sketchlab.data import DataError, load_cufs, photo_key, sketch_key

TARGET = 0.002  # mean absolute difference allowed, per metric
REFERENCE_NAME = "metrics_reference.tsv"


def read_reference(path: Path) -> list[dict[str, str]]:
    """The rows of the reference table, checked for its four columns."""
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    needed = {"photo", "sketch", "fsim", "ssim"}
    if not rows or not needed <= set(rows[0]):
        sys.exit(f"{path}: expected a tab-separated table with columns {sorted(needed)} and at least one row.")
    return rows


def grey(path: Path, eight_bit: bool) -> np.ndarray:
    """One image file as (H, W, 1) grey in [0, 1] (BT.601 luma)."""
    with Image.open(path) as im:
        return metrics.to_grey(np.asarray(im.convert("RGB")), eight_bit=eight_bit)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="the unzipped CUFS folder (holding photos/ and sketches/)")
    parser.add_argument("--reference", help=f"the reference table (default: DATA/{REFERENCE_NAME})")
    parser.add_argument("--grey", choices=("8bit", "float"), default="8bit", help="grey conversion (default: 8bit)")
    args = parser.parse_args()

    try:
        data = load_cufs(args.data, check_images=False)
    except DataError as err:
        sys.exit(str(err))
    reference = Path(args.reference) if args.reference else None
    if reference is None:
        for candidate in (Path(args.data) / REFERENCE_NAME, data.root / REFERENCE_NAME):
            if candidate.is_file():
                reference = candidate
                break
        else:
            sys.exit(
                f"no {REFERENCE_NAME} in {args.data}: pass the table of reference figures "
                f"with --reference TSV (columns photo, sketch, fsim, ssim)."
            )
    if not reference.is_file():
        sys.exit(f"{reference}: no such file; --reference needs the table of reference figures.")
    rows = read_reference(reference)

    # Pair the table's rows with the loader's pairs by person id, never by order.
    by_id = {p.person_id: p for p in data.pairs}
    pairs = []
    for row in rows:
        pair = by_id.get(photo_key(row["photo"]))
        if pair is None or sketch_key(row["sketch"]) != pair.person_id:
            sys.exit(f"{reference}: row {row['photo']} / {row['sketch']} matches no pair of {data.root}.")
        pairs.append(pair)

    eight_bit = args.grey == "8bit"
    photos = np.stack([grey(p.photo, eight_bit) for p in pairs])
    sketches = np.stack([grey(p.sketch, eight_bit) for p in pairs])
    metrics.fsim(photos[:1], sketches[:1])  # warm-up: filter bank, TensorFlow
    metrics.ssim(photos[:1], sketches[:1])

    n = len(pairs)
    print(f"data: {data.describe()}\nreference: {reference} ({n} pairs)\ngrey: {args.grey}\n")
    print(f"{'metric':<7} {'ours':>8} {'table':>8} {'mean|d|':>9} {'max|d|':>9} {'ms/pair':>8}  verdict")
    failed = []
    for name, metric in (("FSIM", metrics.fsim), ("SSIM", metrics.ssim)):
        start = time.perf_counter()
        ours = metric(photos, sketches)
        ms = (time.perf_counter() - start) / n * 1e3
        table = np.array([float(row[name.lower()]) for row in rows])
        diff = np.abs(ours - table)
        ok = diff.mean() <= TARGET
        if not ok:
            failed.append(name)
        print(
            f"{name:<7} {ours.mean():>8.5f} {table.mean():>8.5f} {diff.mean():>9.6f} "
            f"{diff.max():>9.6f} {ms:>8.1f}  {'PASS' if ok else 'FAIL'}"
        )
    if failed:
        print(f"\nFAIL: mean |difference| above {TARGET} for {' and '.join(failed)}")
        sys.exit(1)
    print(f"\nPASS: mean |difference| <= {TARGET} for FSIM and SSIM")


if __name__ == "__main__":
    main()
