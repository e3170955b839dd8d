"""What each speed lever of the training step buys, measured side by side.

    python benchmarks/step_levers.py                 # 64 and 128, every model (~5 min on 2 CPU cores)
    python benchmarks/step_levers.py --sizes 64 --models pix2pix --repeats 5
    python benchmarks/step_levers.py --json > levers.json

The levers, each switched on one at a time from the step as Keras writes it:

- ``FusedAdam`` (``sketchlab.optimizers``): every optimizer is Keras' Adam
  computed by one ``ResourceApplyAdam`` kernel per variable, against
  ``keras.optimizers.Adam`` (some twenty small ops per variable);
- fused instance norm (``sketchlab.models.InstanceNormalization``): one
  ``FusedBatchNormV3`` kernel per norm, forward and backward, against Keras'
  ``GroupNormalization(groups=-1)`` (the variants before this one use
  Keras' layer: ``keras_baseline.keras_layers``).

Variants per model (quick profile's networks, the course's batch sizes: 4
for the U-Net, 1 for the GANs):

- ``unet`` (method 1, Keras' own ``train_step``) and ``pix2pix``: ``keras
  Adam``, ``FusedAdam``;
- ``cyclegan``: ``keras Adam``, ``FusedAdam``, ``+ fused norm`` (both levers).

Each variant is one model built from the same seed, fed one fixed batch
(no input pipeline: the step alone), traced and warmed up; then
``--repeats`` interleaved measurements (the order reversed every other
repeat), each ``--steps`` calls of Keras' train function. Medians per step,
and each variant's speed-up over the first (> 1: faster). The first step's
losses of every variant are printed too: the levers change the arithmetic's
order, not the arithmetic.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

import sketchlab  # noqa: F401  (quiets TensorFlow's C++ log before it loads)
import keras
import numpy as np
import tensorflow as tf

from sketchlab import gans, training
from sketchlab.config import PROFILES, device_name
from sketchlab.models import patchgan
from sketchlab.optimizers import FusedAdam

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import keras_baseline as kb  # noqa: E402

MODELS = ("unet", "pix2pix", "cyclegan")
BATCH = {"unet": 4, "pix2pix": 1, "cyclegan": 1}
STEPS = {"unet": 20, "pix2pix": 20, "cyclegan": 6}  # calls per measurement at 64x64, fewer for larger images
VARIANTS = {"unet": ("keras Adam", "FusedAdam"), "pix2pix": ("keras Adam", "FusedAdam"),
            "cyclegan": ("keras Adam", "FusedAdam", "+ fused norm")}
LOG = sys.stdout


def log(*args) -> None:
    print(*args, file=LOG, flush=True)


def build(kind: str, variant: str, size: int) -> keras.Model:
    profile = PROFILES["quick"]
    keras.utils.set_random_seed(0)

    def optimizer(rate: float = gans.LEARNING_RATE) -> keras.optimizers.Optimizer:
        cls = keras.optimizers.Adam if variant == "keras Adam" else FusedAdam
        return cls(rate, beta_1=gans.BETA_1)

    if kind == "unet":
        model = training.build_generator("unet", size, profile)
        model.compile(optimizer=optimizer(1e-3), loss="mean_absolute_error")
    elif kind == "pix2pix":
        model = gans.Pix2Pix(training.build_generator("unet", size, profile),
                             patchgan(size, filters=profile.filters, max_filters=profile.max_filters))
        model.compile(d_optimizer=optimizer(), g_optimizer=optimizer())
    else:
        networks = training.cyclegan_networks(size, profile)
        if variant != "+ fused norm":
            networks = {name: kb.keras_layers(net) for name, net in networks.items()}
        model = gans.CycleGAN(**networks, seed=0)
        model.compile(g_optimizer=optimizer(), d_optimizer=optimizer())
    return model


def batch(kind: str, size: int) -> tuple[tf.Tensor, tf.Tensor]:
    rng = np.random.default_rng(0)
    photo = rng.uniform(-1, 1, (BATCH[kind], size, size, 3)).astype("float32")
    sketch = np.tanh(photo.mean(axis=-1, keepdims=True) * 3)
    return tf.constant(photo), tf.constant(sketch)


def run_case(kind: str, size: int, repeats: int) -> dict:
    log(f"\n== {kind}@{size}, batch {BATCH[kind]}   (load average {os.getloadavg()[0]:.2f})")
    steps = max(2, STEPS[kind] * 64 * 64 // max(size * size, 64 * 64))
    sides, first = {}, {}
    for variant in VARIANTS[kind]:
        model = build(kind, variant, size)
        model.make_train_function()
        iterator = iter(tf.data.Dataset.from_tensors(batch(kind, size)).repeat())
        first[variant] = {k: float(v) for k, v in model.train_function(iterator).items()}
        for _ in range(2):  # warm-up
            model.train_function(iterator)
        sides[variant] = (model, iterator)
    names = list(first[VARIANTS[kind][0]])
    log("   first step's losses: " + "; ".join(
        f"{v}: " + ", ".join(f"{n} {first[v][n]:.5f}" for n in names) for v in VARIANTS[kind]))
    times = {variant: [] for variant in sides}
    for repeat in range(repeats):
        order = list(sides) if repeat % 2 == 0 else list(sides)[::-1]
        for variant in order:
            model, iterator = sides[variant]
            start = time.perf_counter()
            for _ in range(steps):
                logs = model.train_function(iterator)
            float(next(iter(logs.values())))  # wait for the last step
            times[variant].append((time.perf_counter() - start) / steps * 1000)
        log(f"   repeat {repeat + 1}/{repeats}: " + ", ".join(f"{v} {times[v][-1]:.1f} ms" for v in sides))
    medians = {v: statistics.median(t) for v, t in times.items()}
    reference = medians[VARIANTS[kind][0]]
    keras.backend.clear_session()
    return {"case": f"{kind}@{size}", "batch": BATCH[kind], "steps": steps, "ms_per_step": medians,
            "speedup": {v: reference / m for v, m in medians.items()}, "runs": times, "first_step_logs": first}


def main(argv: list[str] | None = None) -> dict:
    global LOG
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 128])
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS))
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout (the rest on stderr)")
    args = parser.parse_args(argv)
    LOG = sys.stderr if args.json else sys.stdout
    began = time.perf_counter()
    log(f"device: {device_name()}; quick profile's networks; repeats {args.repeats}")
    results = [run_case(kind, size, args.repeats) for size in args.sizes for kind in args.models]
    log(f"\n{'case':<14} {'variant':<22} {'ms/step':>8} {'speed-up':>9}")
    for r in results:
        for variant, ms in r["ms_per_step"].items():
            log(f"{r['case']:<14} {variant:<22} {ms:8.1f} {r['speedup'][variant]:8.2f}x")
    log(f"speed-up: the first variant's median time per step over this one's; {time.perf_counter() - began:.0f} s")
    report = {"device": device_name(), "repeats": args.repeats, "results": results,
              "seconds": time.perf_counter() - began}
    if args.json:
        print(json.dumps(report, indent=1))
    return report


if __name__ == "__main__":
    main()
