"""The lessons of notebook 06, measured on the real data: the train/test gap
and what more training pairs buy (the robustness suite has its own
benchmark: benchmarks/robustness.py).

    python benchmarks/lessons.py --data ../shared/cufs --runs RUNS [--sizes 22 44 88] [--epochs N] [--json]

RUNS holds run folders made by ``python -m sketchlab train NAME --data DIR
--out RUNS/NAME`` (any of encoder-decoder, unet, pix2pix, cyclegan; those
present are used). For each one, prints SSIM and L1 (and FSIM) on the
training pairs and on the test pairs. Then
trains the U-Net with the quick profile (64x64) on ``--sizes`` of the
training pairs, each run with the same number of steps (``--epochs`` epochs'
worth on every pair; default the quick profile's), and prints its test
scores per size (``--sizes`` with no value skips it).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import sketchlab  # noqa: F401  (quiets TensorFlow's C++ log before it loads)
from sketchlab import comparison
from sketchlab.config import device_name, get_profile
from sketchlab.session import resolve_data

METRICS = ("fsim", "ssim", "l1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default="../shared/cufs", help="the CUFS mirror (default ../shared/cufs)")
    parser.add_argument("--runs", required=True, help="folder of run folders (RUNS/unet, RUNS/pix2pix, ...)")
    parser.add_argument("--sizes", type=int, nargs="*", default=[22, 44, 88], help="training pairs per U-Net run")
    parser.add_argument("--epochs", type=int, default=None,
                        help="the U-Net runs' length in epochs of all the pairs (default: the quick profile's)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    if args.epochs is not None and args.epochs < 1:
        parser.error(f"--epochs {args.epochs}: give at least 1 (or leave it out for the quick profile's)")

    data = resolve_data(args.data)
    profile = get_profile("quick")
    runs = Path(args.runs)
    present = [name for name in comparison.METHODS if (runs / name / "generator.keras").is_file()]
    methods = [comparison.load_or_train(name, data, profile, runs, log=lambda _: None) for name in present]
    result: dict = {"data": data.describe(), "device": device_name(), "runs": present}
    result["gap"] = comparison.train_test_gap(methods, data, names=METRICS)
    if args.sizes:
        start = time.perf_counter()
        sized = dataclasses.replace(profile, epochs=args.epochs) if args.epochs else profile
        curve = comparison.data_size_curve(data, sized, args.sizes)
        result["data_size"] = {"model": "unet", "image_size": sized.image_size, "steps_per_run":
                               sized.epochs * (len(data.split("train")) // sized.batch_size),
                               "scores": curve, "seconds": round(time.perf_counter() - start)}
    if args.json:
        print(json.dumps(result, indent=1))
        return
    print(f"{result['data']} | {result['device']}")
    print("\ntrain / test gap")
    for label, by in result["gap"].items():
        print(f"  {label:16}" + "  ".join(f"{m} {by['train'][m]:.3f} / {by['test'][m]:.3f}" for m in METRICS))
    if args.sizes:
        size = result["data_size"]
        print(f"\nU-Net at {size['image_size']}x{size['image_size']}, {size['steps_per_run']} steps a run "
              f"({size['seconds']} s in all)")
        for n, s in size["scores"].items():
            print(f"  {n:3} pairs: " + "  ".join(f"{m} {s[m]:.3f}" for m in METRICS))


if __name__ == "__main__":
    main()
