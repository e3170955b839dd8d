"""The robustness suite: photo -> sketch models on the test faces under the shifts a user's own photo has.

    python benchmarks/robustness.py --data ../shared/cufs --runs runs/unet runs/pix2pix shipped
    python benchmarks/robustness.py --data toy --runs runs/unet/generator.keras [--pairs 20] [--seed 0]
                                    [--json] [--figure robustness.png] [--face 0]

Each run is a training run folder (its generator.keras) or a .keras file,
labelled by its folder's name, or ``shipped``: the package's model
(``sketchlab.pretrained``, as ``python -m sketchlab sketch`` uses it). The
test photos go through every shift of ``sketchlab.shifts.SHIFTS`` (backdrop,
light, camera, framing, black and white), are sketched, and are scored by
the course's protocol (FSIM, SSIM, sharpness and paper noise against the
artist's sketch), beside the grey photo of the same shifted input
(``sketchlab.evaluation.evaluate_shifts``).

Prints, per model, a table of every shift with the mean over the shifts, the
time it took, and a summary line: mean FSIM over the shifts, its distance to
the clean photos' score, the worst shift, and the FSIM margin over the grey
photo. With several models, one more table puts their FSIM side by side.
``--json`` also prints everything as one JSON object; ``--figure`` writes one
picture: a test face under every shift with each model's sketch of it, and
the backdrop masks of a few faces.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

import sketchlab  # noqa: F401  (quiets TensorFlow's C++ log before it loads)
from sketchlab import pretrained
from sketchlab.evaluation import (SHIFT_METRICS, evaluate_shifts, format_table, ground_truth, mean_over_shifts,
                                  real_photos, shifts_table)
from sketchlab.session import resolve_data
from sketchlab.shifts import SHIFTS

TITLES = {"fsim": "FSIM", "ssim": "SSIM", "sharpness": "sharp", "paper_noise": "paper"}
SHOW_BELOW = 5  # the summary names the shifts where a model falls below the grey photo, when this few
SHIPPED = "shipped"  # --runs shipped: the package's own model


def is_shipped(run: str) -> bool:
    """True when ``run`` names the package's model (and no file or folder of that name)."""
    return run == SHIPPED and not Path(run).exists()


def model_path(run: str) -> Path:
    """A run folder's generator.keras, the .keras file given, or the shipped model's weights."""
    path = Path(run)
    if is_shipped(run):
        return pretrained.files()[1]
    return path / "generator.keras" if path.is_dir() else path


def load_model(run: str):
    """The generator ``run`` names."""
    from sketchlab.models import load_generator

    return pretrained.load() if is_shipped(run) else load_generator(model_path(run))


def labels(runs: list[str]) -> list[str]:
    """Each run's folder name; the path as given where two names are the same."""
    names = [Path(run).name if Path(run).is_dir() or is_shipped(run) else Path(run).parent.name for run in runs]
    return [name if names.count(name) == 1 else run for name, run in zip(names, runs)]


def model_table(result: dict) -> str:
    """Every shift's scores, the grey photo's beside them, and the FSIM margin; the mean over shifts last."""
    titles = ["", *TITLES.values(), *(f"grey {t}" for t in TITLES.values()), "FSIM margin"]
    rows = dict(result)
    rows["mean over shifts"] = {side: mean_over_shifts(result, side) for side in ("model", "baseline")}
    lines = []
    for name, scores in rows.items():
        cells = [format(scores[side][metric], ".3f" if metric in ("fsim", "ssim") else ".2f")
                 for side in ("model", "baseline") for metric in SHIFT_METRICS]
        lines.append([name, *cells, format(scores["model"]["fsim"] - scores["baseline"]["fsim"], "+.3f")])
    return format_table(titles, lines)


def summary(label: str, result: dict) -> str:
    """Mean FSIM over the shifts, its distance to the clean score, the worst shift, the margins over the grey photo."""
    shifted = {name: scores for name, scores in result.items() if name != "clean"}
    mean, clean = mean_over_shifts(result, "model")["fsim"], result["clean"]["model"]["fsim"]
    worst = min(shifted, key=lambda name: shifted[name]["model"]["fsim"])
    margins = {name: s["model"]["fsim"] - s["baseline"]["fsim"] for name, s in shifted.items()}
    below = [name for name, margin in margins.items() if margin < 0]
    return (f"{label}: mean FSIM over {len(shifted)} shifts {mean:.3f} ({mean - clean:+.3f} from clean "
            f"{clean:.3f}); worst: {worst} {shifted[worst]['model']['fsim']:.3f}; FSIM margin over the grey "
            f"photo {np.mean(list(margins.values())):+.3f} on average, from {min(margins.values()):+.3f} to "
            f"{max(margins.values()):+.3f}, below it on {len(below)} of {len(shifted)} shifts"
            + (f" ({', '.join(below)})" if 0 < len(below) <= SHOW_BELOW else ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="'toy' or a CUFS folder")
    parser.add_argument("--runs", nargs="+", required=True,
                        help="run folders (generator.keras), .keras files, or 'shipped' (the package's model)")
    parser.add_argument("--pairs", type=int, default=None, help="only the first N test pairs (default: all)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random shifts (noise, framing, texture)")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON object")
    parser.add_argument("--figure", type=Path, default=None, help="write the picture of the shifts here (.png)")
    parser.add_argument("--face", type=int, default=0, help="the test face the figure shows (index)")
    args = parser.parse_args()
    paths = [model_path(run) for run in args.runs]
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        parser.error(f"no model file: {', '.join(missing)} (give run folders holding generator.keras, .keras files, "
                     "or 'shipped')")

    data = resolve_data(args.data)
    test = data.split("test")[:args.pairs]
    print(f"data: {data.describe()}; {len(test)} test pairs, {len(SHIFTS)} shifts, seed {args.seed}")
    models = {label: load_model(run) for label, run in zip(labels(args.runs), args.runs)}
    results, seconds = {}, {}
    for (label, model), path in zip(models.items(), paths):
        start = time.perf_counter()
        results[label] = evaluate_shifts(model, test, seed=args.seed, progress=print)
        seconds[label] = time.perf_counter() - start
        print(f"\n{label} ({path}, {model.input_shape[1]}x{model.input_shape[1]}): {seconds[label]:.0f} s")
        print(model_table(results[label]))
        print(f"({len(test)} test pairs, 200x250, grey; sharp and paper: / the artist's; FSIM margin: model - "
              "grey photo of the same shifted input)\n")
    for label, result in results.items():
        print(summary(label, result))
    if len(results) > 1:
        print("\n" + shifts_table(results))
    if args.figure:
        args.figure.parent.mkdir(parents=True, exist_ok=True)
        face = min(args.face, len(test) - 1)
        import matplotlib

        matplotlib.use("Agg")
        from sketchlab.plots import show_shifts

        fig = show_shifts(real_photos(test), ground_truth(test[face:face + 1])[0], models, face, args.seed)
        fig.savefig(args.figure, dpi=110)
        print(f"figure: {args.figure} (test face {test[face].person_id})")
    if args.json:
        print(json.dumps({"data": data.describe(), "n": len(test), "seed": args.seed,
                          "models": {label: {"path": str(path), "seconds": round(seconds[label], 1),
                                             "shifts": results[label]}
                                     for (label, path) in zip(results, paths)}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
