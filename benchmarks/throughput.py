"""Training throughput of sketchlab's CycleGAN and pix2pix against a plain Keras baseline.

    python benchmarks/throughput.py                    # 128 and 256, both models (~8-10 min on 2 CPU cores)
    python benchmarks/throughput.py --quick            # 128 only, 3 short repeats (~3 min)
    python benchmarks/throughput.py --json > tp.json   # the table goes to stderr, one JSON object to stdout
    python benchmarks/throughput.py --sizes 256 --models cyclegan --repeats 7 --steps 4
    python benchmarks/throughput.py --xla --mixed-precision   # GPU: sketchlab with XLA + mixed precision

Each case (``cyclegan@128``, ``cyclegan@256``, ``pix2pix@128``, ``pix2pix@256``,
quick profile's architectures, batch 1 as the course trains) builds, in one
process:

- **sketchlab**: the model as ``sketchlab.training`` builds it
  (``training.cyclegan_networks`` + ``gans.CycleGAN`` compiled with two
  ``adam(LinearDecay(...))`` optimizers, as ``train_cyclegan``;
  ``gans.Pix2Pix(build_generator("unet"), patchgan(...))`` compiled as
  ``train_pix2pix``), fed by ``sketchlab.pipeline``'s training datasets
  (cache, prefetch, the epoch stream ``_fit`` uses);
- **baseline**: the same networks (same builders, the same initial weights
  copied in; instance norm by Keras' own ``GroupNormalization``) trained by
  ``benchmarks/keras_baseline.py``: one persistent tape, plain Adam, float32,
  no XLA, and a pipeline that decodes, resizes and jitters every image every
  pass (no cache, no prefetch).

Then:

1. the time to the first finished step of each side (build + trace + graph
   optimisation + the first step, as a notebook pays it on every run), wall
   and CPU, and the number of traces of ``train_step`` in that first ``fit``
   (2 when the optimizers create their variables inside the first traced
   step: ``tf.function`` then traces again; ``--build-optimizers-first``);
2. a check that both sides compute the same thing: both restored to the same
   initial weights (and dropout seeds), optimizers and image pools emptied,
   one ``fit`` step each on the SAME fixed batch; every loss is printed for
   both and must agree within float tolerance, and so must each network's
   gradient (read back from Adam's first moment, which after one step from
   zero is ``(1 - beta_1) * gradient``). The pools agree because they are
   still filling (the first 50 fakes pass through); their later random
   draws come from different generators, so later steps differ by design;
3. after a warm-up, ``--repeats`` interleaved measurements (sketchlab,
   baseline, then baseline, sketchlab, ...), each one ``fit(steps_per_epoch=k)``
   with the same k for both, timed from the end of its first step to the end
   of its last (k - 1 steady steps: tracing, ``fit``'s set-up and the
   iterator's start, which a course run pays once, are left out); medians
   and their ratio (sketchlab / baseline; > 1: sketchlab is faster), the
   median of each run's ratio to its neighbour in time, and the same per
   CPU-second of this process (``time.process_time``: all its threads, the
   pipeline's included), which other processes' load disturbs far less than
   the wall clock;
4. the images per second of each side's input pipeline alone
   (``sketchlab.pipeline.images_per_second``: warm-up pass, then three
   passes), and sketchlab's pipeline rate over its training rate (target >= 10).

Later ``fit`` calls are watched for re-tracing (the trace counts are printed).
The machine's load average is printed before and after: the CPU is shared.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import sketchlab  # noqa: F401  (quiets TensorFlow's C++ log before it loads)
import keras
import numpy as np
import tensorflow as tf

from sketchlab import gans, pipeline, training
from sketchlab.config import PROFILES, device_name, gpu_available
from sketchlab.data import load_cufs
from sketchlab.models import patchgan
from sketchlab.optimizers import LossScaleOptimizer

sys.path.insert(0, str(Path(__file__).resolve().parent))
import keras_baseline as kb  # noqa: E402

MODELS = ("cyclegan", "pix2pix")
STREAM_EPOCHS = 10_000  # the epoch stream handed to fit: far more than any run here takes
BATCH = 1  # the course trains both GANs in batches of 1
WARMUP_STEPS = {"cyclegan": 2, "pix2pix": 5}
MIN_STEPS = 2  # a measurement times the steps between the end of the first and of the last
LOSS_RTOL, LOSS_ATOL = 1e-4, 1e-5  # float32 on one device; different summation orders only
# relative L2 difference of a network's whole gradient. The two sides'
# instance norms are different kernels (FusedBatchNormV3 and Keras'
# GroupNormalization), and some twenty of them in a row amplify their
# different float rounding, most at 256x256 (9 residual blocks)
GRAD_RTOL = 2e-2
# with XLA the losses still agree to ~1e-6, but the generators' gradients only
# to ~1% (growing towards the input layers: XLA's fused reductions round the
# instance-norm moments differently, and 20-odd normalised layers amplify it)
GRAD_RTOL_XLA = 5e-2


LOG = sys.stdout  # stderr with --json


def log(*args) -> None:
    print(*args, file=LOG, flush=True)


@dataclass
class Side:
    """One trained model of a case: sketchlab's or the baseline."""

    label: str
    model: keras.Model
    dataset: tf.data.Dataset
    networks: dict[str, keras.Model]
    optimizers: dict[str, keras.optimizers.Optimizer]
    pools: list
    traces: dict = field(default_factory=lambda: {"count": 0, "seconds": 0.0})
    first_step_s: float = 0.0
    first_step_cpu_s: float = 0.0
    first_fit_traces: int = 0
    rates: list[float] = field(default_factory=list)
    cpu_rates: list[float] = field(default_factory=list)

    def fit(self, steps: int, dataset: tf.data.Dataset | None = None, callbacks=None) -> dict:
        history = self.model.fit(dataset if dataset is not None else self.dataset, epochs=1,
                                 steps_per_epoch=steps, verbose=0, shuffle=False, callbacks=callbacks)
        return {k: float(v[-1]) for k, v in history.history.items()}


class StepClock(keras.callbacks.Callback):
    """Wall and process CPU time at the end of every training step. The
    steps between the first and the last end are steady training: no ``fit``
    set-up, no iterator start (a course run pays those once, in one ``fit``)."""

    def __init__(self):
        super().__init__()
        self.ends: list[tuple[float, float]] = []

    def on_train_batch_end(self, batch, logs=None):
        self.ends.append((time.perf_counter(), time.process_time()))

    def rates(self) -> tuple[float, float]:
        """(images per second, images per CPU-second) between the first and the last step's end."""
        (w0, c0), (w1, c1) = self.ends[0], self.ends[-1]
        images = (len(self.ends) - 1) * BATCH
        return images / (w1 - w0), images / max(c1 - c0, 1e-9)


def count_traces(model: keras.Model, traces: dict) -> None:
    """Count the Python executions of ``model.train_step`` (one per trace) and
    their CPU time (tracing runs in the calling thread)."""
    step = model.train_step

    def train_step(data):
        traces["count"] += 1
        start = time.thread_time()
        try:
            return step(data)
        finally:
            traces["seconds"] += time.thread_time() - start

    model.train_step = train_step


def snapshot(networks: dict[str, keras.Model]) -> dict[str, list[np.ndarray]]:
    """Every variable of every network (weights, BatchNorm statistics, dropout seed states)."""
    return {name: [v.numpy() for v in net.variables] for name, net in networks.items()}


def load_snapshot(networks: dict[str, keras.Model], values: dict[str, list[np.ndarray]]) -> None:
    for name, net in networks.items():
        variables = net.variables
        if len(variables) != len(values[name]):
            raise AssertionError(f"{name}: {len(variables)} variables, the snapshot has {len(values[name])}")
        for variable, value in zip(variables, values[name]):
            if tuple(variable.shape) != value.shape:
                raise AssertionError(f"{name}/{variable.path}: shape {variable.shape} != {value.shape}")
            variable.assign(value)


def _inner(optimizer):
    return getattr(optimizer, "inner_optimizer", optimizer)


def _first_moments(optimizer: keras.optimizers.Optimizer, network: keras.Model) -> np.ndarray:
    """Adam's first moments of ``network``'s weights (an optimizer may update several networks)."""
    inner = _inner(optimizer)
    return np.concatenate([np.ravel(inner._momentums[inner._get_variable_index(v)].numpy())
                           for v in network.trainable_variables])


def reset_optimizer(optimizer) -> None:
    """Zero an Adam's step count and moments (not its learning rate, not a loss scale)."""
    for variable in _inner(optimizer).variables:
        if not variable.path.endswith("learning_rate"):
            variable.assign(tf.zeros(variable.shape, variable.dtype))


def reset_pool(pool) -> None:
    pool.count.assign(0)
    if hasattr(pool, "draws"):
        pool.draws.assign(0)


# ------------------------------------------------------------------ the two sides


def build_sketchlab(kind: str, size: int, profile, train, seed: int, xla: bool | None, mixed: bool | None,
                    prebuild: bool) -> tuple[Side, dict, dict]:
    """The model as sketchlab.training builds it; returns the side, its
    initial snapshot and its effective settings. Times the first step."""
    gpu = gpu_available()
    start, cpu = time.perf_counter(), time.process_time()
    keras.utils.set_random_seed(seed)
    if kind == "cyclegan":
        mixed = gpu if mixed is None else mixed
        jit = gpu if xla is None else xla
        previous = keras.config.dtype_policy()
        keras.config.set_dtype_policy("mixed_float16" if mixed else "float32")
        try:
            model = gans.CycleGAN(**training.cyclegan_networks(size, profile), seed=seed)
        finally:
            keras.config.set_dtype_policy(previous)
        steps = profile.cyclegan_epochs * (len(train) // BATCH)

        def optimizer():
            opt = gans.adam(gans.LinearDecay(gans.LEARNING_RATE, steps))
            return LossScaleOptimizer(opt) if mixed else opt

        model.compile(g_optimizer=optimizer(), d_optimizer=optimizer(), jit_compile=jit)
        dataset = pipeline.unpaired_dataset(train, size, BATCH, seed=seed, jitter_scale=profile.jitter_scale,
                                            epochs=STREAM_EPOCHS)
        networks = {name: getattr(model, name) for name in model.NETWORKS}
        optimizers = {name: getattr(model, side) for side, names in model.UPDATES.items() for name in names}
        pools = [model.sketch_pool, model.photo_pool]
    else:
        mixed = False  # train_pix2pix has no mixed precision
        steps = profile.pix2pix_epochs * (len(train) // profile.gan_batch_size)
        model = gans.Pix2Pix(training.build_generator("unet", size, profile),
                             patchgan(size, filters=profile.filters, max_filters=profile.max_filters),
                             lambda_l1=gans.LAMBDA_L1)

        def rate(value):
            return gans.LinearDecay(value, steps) if profile.gan_decay else value

        kwargs = {} if xla is None else {"jit_compile": xla}  # train_pix2pix leaves Keras' "auto"
        model.compile(d_optimizer=gans.adam(rate(gans.LEARNING_RATE)), g_optimizer=gans.adam(rate(gans.LEARNING_RATE)),
                      **kwargs)
        dataset = pipeline.paired_dataset(train, size, BATCH, training=True, seed=seed,
                                          jitter_scale=profile.jitter_scale, epochs=STREAM_EPOCHS)
        networks = {"generator": model.generator, "discriminator": model.discriminator}
        optimizers = {"generator": model.g_optimizer, "discriminator": model.d_optimizer}
        pools = []
    side = Side("sketchlab", model, dataset, networks, optimizers, pools)
    count_traces(model, side.traces)
    paused, paused_cpu = time.perf_counter(), time.process_time()
    initial = snapshot(networks)
    paused, paused_cpu = time.perf_counter() - paused, time.process_time() - paused_cpu
    if prebuild:
        model.build_optimizers()
    side.fit(1)
    side.first_step_s = time.perf_counter() - start - paused
    side.first_step_cpu_s = time.process_time() - cpu - paused_cpu
    side.first_fit_traces = side.traces["count"]
    settings = {"xla": bool(model.jit_compile), "mixed_precision": bool(mixed)}
    return side, initial, settings


def build_baseline(kind: str, size: int, profile, train, seed: int, initial: dict, prebuild: bool) -> Side:
    """The same networks, the sketchlab side's initial weights, trained the keras.io way."""
    start, cpu = time.perf_counter(), time.process_time()
    keras.utils.set_random_seed(seed)
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("float32")  # the baseline: always float32
    try:
        if kind == "cyclegan":
            networks = {name: kb.keras_layers(net) for name, net in training.cyclegan_networks(size, profile).items()}
        else:
            networks = {"generator": training.build_generator("unet", size, profile),
                        "discriminator": patchgan(size, filters=profile.filters, max_filters=profile.max_filters)}
    finally:
        keras.config.set_dtype_policy(previous)
    paused, paused_cpu = time.perf_counter(), time.process_time()
    load_snapshot(networks, initial)
    paused, paused_cpu = time.perf_counter() - paused, time.process_time() - paused_cpu
    if kind == "cyclegan":
        model = kb.BaselineCycleGAN(networks["i2s"], networks["s2i"], networks["d_photo"], networks["d_sketch"],
                                    seed=seed)
        model.compile(kb.adam(), kb.adam(), kb.adam(), kb.adam())
        dataset = kb.unpaired_dataset(train, size, BATCH, jitter_scale=profile.jitter_scale, seed=seed)
    else:
        model = kb.BaselinePix2Pix(networks["generator"], networks["discriminator"])
        model.compile(kb.adam(), kb.adam())
        dataset = kb.paired_dataset(train, size, BATCH, jitter_scale=profile.jitter_scale, seed=seed)
    pairs = model.network_optimizers()
    side = Side("baseline", model, dataset, {n: net for n, (net, _) in pairs.items()},
                {n: opt for n, (_, opt) in pairs.items()}, model.pools())
    count_traces(model, side.traces)
    if prebuild:
        for name, opt in side.optimizers.items():
            opt.build(side.networks[name].trainable_variables)
    side.fit(1)
    side.first_step_s = time.perf_counter() - start - paused
    side.first_step_cpu_s = time.process_time() - cpu - paused_cpu
    side.first_fit_traces = side.traces["count"]
    return side


# ------------------------------------------------------------------ the check


def check_same_step(sides: list[Side], initial: dict, batch, kind: str, settings: dict) -> dict:
    """One step of each side from the same state on the same batch: losses and gradients must agree.

    Exact comparison needs float32 without XLA. With XLA (sketchlab side
    only) the sums run in other orders (looser tolerances), and pix2pix's
    U-Net draws its dropout masks with XLA's random-number generator instead
    of TensorFlow's kernels, so its losses differ: reported, not asserted.
    In mixed precision nothing is asserted (float16 sums; and the loss scale
    starts high, so the first steps overflow and are skipped by design).
    """
    why_not = None
    if settings["mixed_precision"]:
        why_not = "mixed precision (float16; the first loss-scaled steps may be skipped)"
    elif settings["xla"] and kind == "pix2pix":
        why_not = "XLA draws the U-Net's dropout masks with another random-number generator"
    rtol = LOSS_RTOL * (10 if settings["xla"] else 1)
    for side in sides:
        load_snapshot(side.networks, initial)
        for optimizer in side.optimizers.values():
            reset_optimizer(optimizer)
        for pool in side.pools:
            reset_pool(pool)
    fixed = tf.data.Dataset.from_tensors(batch).repeat()  # the training datasets' element spec: no re-trace
    traces_before = [side.traces["count"] for side in sides]
    logs = [side.fit(1, fixed) for side in sides]
    retraced = [side.traces["count"] - before for side, before in zip(sides, traces_before)]
    names = [name for name in logs[1] if name in logs[0]]
    losses = {name: {"sketchlab": logs[0][name], "baseline": logs[1][name],
                     "abs_diff": abs(logs[0][name] - logs[1][name])} for name in names}
    loss_ok = all(np.isclose(v["sketchlab"], v["baseline"], rtol=rtol, atol=LOSS_ATOL) for v in losses.values())
    grads = {}
    for name in sides[0].networks:
        moments = [_first_moments(side.optimizers[name], side.networks[name]) for side in sides]
        scale = np.linalg.norm(moments[1])  # the baseline's: float32, never skipped
        grads[name] = float(np.linalg.norm(moments[0] - moments[1]) / max(scale, 1e-30))
    grad_ok = all(v <= (GRAD_RTOL_XLA if settings["xla"] else GRAD_RTOL) for v in grads.values())
    result = {"losses": losses, "gradient_rel_diff": grads, "losses_agree": bool(loss_ok),
              "gradients_agree": bool(grad_ok), "retraced": retraced, "asserted": why_not is None,
              "not_asserted_because": why_not}
    if why_not is None and not (loss_ok and grad_ok):
        log(json.dumps(result, indent=1))
        raise AssertionError("sketchlab and the baseline disagree on the first step (see above)")
    return result


# ------------------------------------------------------------------ one case


def run_case(kind: str, size: int, args, profile, train) -> dict:
    case = f"{kind}@{size}"
    log(f"\n== {case}   (load average {os.getloadavg()[0]:.2f})")
    sketch, initial, settings = build_sketchlab(kind, size, profile, train, args.seed, args.xla,
                                                args.mixed_precision, args.build_optimizers_first)
    log(f"   sketchlab: first step {sketch.first_step_s:6.1f} s, {sketch.first_step_cpu_s:5.1f} CPU-s  "
        f"({sketch.first_fit_traces} trace(s) of train_step: {sketch.traces['seconds']:.1f} CPU-s)  "
        f"xla={settings['xla']} mixed={settings['mixed_precision']}")
    base = build_baseline(kind, size, profile, train, args.seed, initial, args.build_optimizers_first)
    log(f"   baseline:  first step {base.first_step_s:6.1f} s, {base.first_step_cpu_s:5.1f} CPU-s  "
        f"({base.first_fit_traces} trace(s) of train_step: {base.traces['seconds']:.1f} CPU-s)")
    sides = [sketch, base]

    batch = next(iter(pipeline.unpaired_dataset(train, size, BATCH, seed=args.seed + 1,
                                                jitter_scale=profile.jitter_scale) if kind == "cyclegan" else
                      pipeline.paired_dataset(train, size, BATCH, training=True, seed=args.seed + 1,
                                              jitter_scale=profile.jitter_scale)))
    check = check_same_step(sides, initial, batch, kind, settings)
    log("   first step on the same batch from the same weights:")
    log(f"     {'loss':<16} {'sketchlab':>12} {'baseline':>12} {'|diff|':>9}")
    for name, v in check["losses"].items():
        log(f"     {name:<16} {v['sketchlab']:>12.6f} {v['baseline']:>12.6f} {v['abs_diff']:>9.2e}")
    log("     gradient, relative L2 difference: "
        + ", ".join(f"{n} {d:.1e}" for n, d in check["gradient_rel_diff"].items())
        + f"   -> losses agree: {check['losses_agree']}, gradients agree: {check['gradients_agree']}"
        + ("" if check["asserted"] else f" (not asserted: {check['not_asserted_because']})"))

    # warm-up (after the check the sides train on from the initial weights), then pick k
    per_step = []
    for side in sides:
        start = time.perf_counter()
        side.fit(WARMUP_STEPS[kind])
        per_step.append((time.perf_counter() - start) / WARMUP_STEPS[kind])
    steps = max(MIN_STEPS, args.steps or 1 + round(args.seconds / statistics.mean(per_step)))
    traces_before = [side.traces["count"] for side in sides]
    for repeat in range(args.repeats):
        for side in (sides if repeat % 2 == 0 else sides[::-1]):
            clock = StepClock()
            side.fit(steps, callbacks=[clock])
            rate, cpu_rate = clock.rates()
            side.rates.append(rate)
            side.cpu_rates.append(cpu_rate)
        log(f"   repeat {repeat + 1}/{args.repeats}: sketchlab {sketch.rates[-1]:7.2f} img/s, "
            f"baseline {base.rates[-1]:7.2f} img/s  ({steps} steps each; per CPU-second: "
            f"{sketch.cpu_rates[-1]:.2f} / {base.cpu_rates[-1]:.2f})")
    later_traces = [side.traces["count"] - before for side, before in zip(sides, traces_before)]

    # the input pipelines alone
    if kind == "cyclegan":
        sk_ds = pipeline.unpaired_dataset(train, size, BATCH, seed=args.seed, jitter_scale=profile.jitter_scale,
                                          epochs=2)
        base_ds = kb.unpaired_dataset(train, size, BATCH, jitter_scale=profile.jitter_scale, seed=args.seed,
                                      repeat=False)
    else:
        sk_ds = pipeline.paired_dataset(train, size, BATCH, training=True, seed=args.seed,
                                        jitter_scale=profile.jitter_scale, epochs=2)
        base_ds = kb.paired_dataset(train, size, BATCH, jitter_scale=profile.jitter_scale, seed=args.seed,
                                    repeat=False)
    pipe = {"sketchlab": pipeline.images_per_second(sk_ds), "baseline": pipeline.images_per_second(base_ds)}
    medians = {side.label: statistics.median(side.rates) for side in sides}
    cpu_medians = {side.label: statistics.median(side.cpu_rates) for side in sides}
    pipe["sketchlab_over_training"] = pipe["sketchlab"] / medians["sketchlab"]
    log(f"   pipeline alone: sketchlab {pipe['sketchlab']:,.0f} img/s "
        f"({pipe['sketchlab_over_training']:,.0f}x its training rate), baseline {pipe['baseline']:,.0f} img/s")
    result = {
        "case": case,
        "steps": steps,
        "images_per_second": medians,
        "runs": {side.label: side.rates for side in sides},
        "ratio": medians["sketchlab"] / medians["baseline"],
        # each sketchlab run over the baseline run next to it in time: less sensitive to slow load changes
        "paired_ratio": statistics.median(a / b for a, b in zip(sketch.rates, base.rates)),
        "images_per_cpu_second": cpu_medians,
        "cpu_ratio": cpu_medians["sketchlab"] / cpu_medians["baseline"],
        "cpu_runs": {side.label: side.cpu_rates for side in sides},
        "first_step_seconds": {side.label: side.first_step_s for side in sides},
        "first_step_cpu_seconds": {side.label: side.first_step_cpu_s for side in sides},
        "traces": {side.label: {"first_fit": side.first_fit_traces, "later_fits": later, "check_fit": re,
                                "trace_cpu_seconds": side.traces["seconds"]}
                   for side, later, re in zip(sides, later_traces, check["retraced"])},
        "pipeline_images_per_second": pipe,
        "loss_check": check,
        "settings": settings,
        "load_average": os.getloadavg()[0],
    }
    del sides, sketch, base
    keras.backend.clear_session()
    gc.collect()
    return result


# ------------------------------------------------------------------ main


def table(results: list[dict]) -> str:
    rows = [("case", "sketchlab", "baseline", "ratio", "paired", "cpu", "first step s", "(CPU s)", "steps",
             "pipeline", "pipe/"),
            ("", "img/s", "img/s", "", "ratio", "ratio", "skl / base", "skl / base", "", "img/s", "train")]
    for r in results:
        ips, pipe = r["images_per_second"], r["pipeline_images_per_second"]
        first, cpu = r["first_step_seconds"], r["first_step_cpu_seconds"]
        rows.append((r["case"], f"{ips['sketchlab']:.2f}", f"{ips['baseline']:.2f}", f"{r['ratio']:.2f}",
                     f"{r['paired_ratio']:.2f}", f"{r['cpu_ratio']:.2f}",
                     f"{first['sketchlab']:.1f} / {first['baseline']:.1f}",
                     f"{cpu['sketchlab']:.1f} / {cpu['baseline']:.1f}",
                     str(r["steps"]), f"{pipe['sketchlab']:,.0f}", f"{pipe['sketchlab_over_training']:,.0f}x"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in
                                enumerate(zip(row, widths))) for row in rows)


def main(argv: list[str] | None = None) -> dict:
    global LOG
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[128, 256])
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS))
    parser.add_argument("--repeats", type=int, default=9, help="interleaved measurements per side (default 9)")
    parser.add_argument("--steps", type=int, default=None,
                        help="steps per measurement (one fit; the first step's end starts the clock); "
                             "default: 1 + about --seconds worth, at least 2")
    parser.add_argument("--seconds", type=float, default=2.5, help="target length of one measurement")
    parser.add_argument("--quick", action="store_true", help="a short check: 128 only, 3 repeats of ~1.5 s")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout (the rest on stderr)")
    parser.add_argument("--xla", action=argparse.BooleanOptionalAction, default=None,
                        help="sketchlab side with XLA (default: as sketchlab.training decides: on a GPU)")
    parser.add_argument("--mixed-precision", action=argparse.BooleanOptionalAction, default=None,
                        help="sketchlab's CycleGAN in mixed_float16 with loss scaling (default: on a GPU); "
                             "train_pix2pix has no mixed precision")
    parser.add_argument("--build-optimizers-first", action="store_true",
                        help="create every optimizer's variables before the first fit, on both sides: "
                             "optimizers built inside the first traced step make tf.function trace "
                             "train_step twice (sketchlab's compile now builds them itself; the keras.io-"
                             "style baseline does not)")
    parser.add_argument("--data", default="toy", help="'toy' (made in a temporary folder) or a CUFS folder")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.repeats, args.seconds = [128], 3, 1.5
    LOG = sys.stderr if args.json else sys.stdout

    began = time.perf_counter()
    load_before = os.getloadavg()
    profile = PROFILES["quick"]
    with tempfile.TemporaryDirectory() as tmp:
        if args.data == "toy":
            from sketchlab.toy import make_toy_data

            data = load_cufs(make_toy_data(Path(tmp) / "toy"))
        else:
            data = load_cufs(args.data)
        train = data.split("train")
        log(f"data: {data.describe()}\ndevice: {device_name()}\nprofile: quick architectures "
            f"(filters {profile.filters}, max {profile.max_filters}), batch {BATCH}; repeats {args.repeats}\n"
            f"load average before: {' '.join(f'{x:.2f}' for x in load_before)} on {os.cpu_count()} cores")
        results = [run_case(kind, size, args, profile, train) for size in args.sizes for kind in args.models]
    load_after = os.getloadavg()

    log("\n" + table(results))
    log(f"\nratio: sketchlab img/s over baseline img/s, medians of {args.repeats} interleaved runs (wall clock); "
        f"paired ratio: median of\neach run's ratio to its neighbour; cpu ratio: images per CPU-second of this "
        f"process (all its threads), less\nsensitive to other processes' load; pipe/train: sketchlab's input "
        f"pipeline alone over its training rate (target >= 10)")
    log(f"load average before: {' '.join(f'{x:.2f}' for x in load_before)}, after: "
        f"{' '.join(f'{x:.2f}' for x in load_after)}; {time.perf_counter() - began:.0f} s in all")
    report = {
        "device": device_name(),
        "repeats": args.repeats,
        "ratios": {r["case"]: r["ratio"] for r in results},
        "images_per_second": {r["case"]: r["images_per_second"] for r in results},
        "paired_ratios": {r["case"]: r["paired_ratio"] for r in results},
        "cpu_ratios": {r["case"]: r["cpu_ratio"] for r in results},
        "images_per_cpu_second": {r["case"]: r["images_per_cpu_second"] for r in results},
        "first_step_seconds": {r["case"]: r["first_step_seconds"] for r in results},
        "first_step_cpu_seconds": {r["case"]: r["first_step_cpu_seconds"] for r in results},
        "pipeline_images_per_second": {r["case"]: r["pipeline_images_per_second"] for r in results},
        "steps": {r["case"]: r["steps"] for r in results},
        "runs": {r["case"]: r["runs"] for r in results},
        "cpu_runs": {r["case"]: r["cpu_runs"] for r in results},
        "traces": {r["case"]: r["traces"] for r in results},
        "loss_check": {r["case"]: r["loss_check"] for r in results},
        "settings": {r["case"]: r["settings"] for r in results},
        "build_optimizers_first": args.build_optimizers_first,
        "load_average": {"before": load_before, "after": load_after},
        "seconds": time.perf_counter() - began,
    }
    if args.json:
        print(json.dumps(report, indent=1))
    return report


if __name__ == "__main__":
    main()
