"""Training speed on a CPU with TensorFlow's oneDNN kernels and without.

    python benchmarks/cpu_kernels.py                  # 3 interleaved repeats (~25 min on 2 CPU cores)
    python benchmarks/cpu_kernels.py --repeats 1 --models unet pix2pix
    python benchmarks/cpu_kernels.py --json > kernels.json

TensorFlow turns its oneDNN kernels on by itself only on CPUs with
AVX512-VNNI, AVX-VNNI or AMX (recent Intel Xeons, AMD EPYC Zen 4); ``import sketchlab``
turns them on for every x86 CPU (``TF_ENABLE_ONEDNN_OPTS=1``, unless the
variable is set already). The setting is read once, when TensorFlow loads,
so each measurement runs in a fresh process with ``TF_ENABLE_ONEDNN_OPTS``
set to 0 or 1, the two alternating (off, on, then on, off, ...), and each
process reports whether TensorFlow really runs oneDNN.

Each process trains the quick profile's models on the toy faces as the
notebooks do (``sketchlab.training``, 88 training pairs, the test split as
validation data) for two epochs and reports the seconds of each: the first
includes tracing and graph optimisation, the second is the steady epoch a
notebook pays 3 to 30 times. The table gives the medians and their ratio
(without over with: > 1 means oneDNN is faster), and the median loss of the
second epoch under each setting (L1 for the U-Net and pix2pix's generator,
``g_loss`` for CycleGAN), to show that both learn alike: oneDNN sums in
another order, so the values are close, not equal.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

MODELS = ("unet", "pix2pix", "cyclegan")
LOSS = {"unet": "loss", "pix2pix": "g_l1", "cyclegan": "g_loss"}


def child(models: list[str], data_dir: str) -> None:
    """One measurement: train each model for two epochs, print one JSON line."""
    import keras

    import sketchlab  # noqa: F401
    from sketchlab import training
    from sketchlab.config import get_profile
    from sketchlab.data import load_cufs
    from tensorflow.python.util import _pywrap_util_port

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            seconds.append(time.perf_counter() - self.start)

    trainers = {"unet": functools.partial(training.train_generator, "unet"), "pix2pix": training.train_pix2pix,
                "cyclegan": training.train_cyclegan}
    profile, data = get_profile("quick"), load_cufs(data_dir)
    out = {"onednn": bool(_pywrap_util_port.IsMklEnabled()), "models": {}}
    for name in models:
        seconds: list[float] = []
        run = trainers[name](data, profile, epochs=2, verbose=0, callbacks=[EpochTimer()])
        out["models"][name] = {"first": seconds[0], "epoch": seconds[1], "loss": run.history[LOSS[name]][-1]}
    print("RESULT " + json.dumps(out), flush=True)


def measure(onednn: bool, models: list[str], data_dir: str) -> dict:
    env = {**os.environ, "TF_ENABLE_ONEDNN_OPTS": "1" if onednn else "0", "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([sys.executable, __file__, "--child", data_dir, "--models", *models],
                          capture_output=True, text=True, env=env, timeout=1800)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        sys.exit(f"the measurement with TF_ENABLE_ONEDNN_OPTS={int(onednn)} failed:\n{done.stderr[-3000:]}")
    result = json.loads(lines[-1][len("RESULT "):])
    if result["onednn"] != onednn:
        sys.exit(f"TF_ENABLE_ONEDNN_OPTS={int(onednn)} but TensorFlow reports oneDNN {result['onednn']}")
    return result["models"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="measurements per setting (default 3)")
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS))
    parser.add_argument("--data", default=None, help="the toy faces' folder (default: made in a temporary folder)")
    parser.add_argument("--json", action="store_true", help="print one JSON object to stdout, the table to stderr")
    parser.add_argument("--child", metavar="DATA", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.models, args.child)

    import tempfile

    import sketchlab  # noqa: F401
    from sketchlab.config import device_name
    from sketchlab.toy import make_toy_data

    report = sys.stderr if args.json else sys.stdout
    with tempfile.TemporaryDirectory(prefix="kernels-") as scratch:
        data_dir = args.data or str(make_toy_data(Path(scratch) / "toy"))
        print(f"device: {device_name()}; quick profile, toy faces, {args.repeats} repeats per setting, "
              f"load average before: {os.getloadavg()[0]:.2f}", file=report, flush=True)
        runs: dict[bool, list[dict]] = {False: [], True: []}
        for repeat in range(args.repeats):
            for onednn in ((False, True) if repeat % 2 == 0 else (True, False)):
                runs[onednn].append(measure(onednn, args.models, data_dir))
                print(f"  repeat {repeat + 1}, oneDNN {'on' if onednn else 'off'}: " + ", ".join(
                    f"{m} {r['epoch']:.2f} s" for m, r in runs[onednn][-1].items()), file=report, flush=True)

    def median(onednn: bool, model: str, key: str) -> float:
        return statistics.median(run[model][key] for run in runs[onednn])

    summary: dict[str, dict] = {}
    print(f"\n{'model':10} {'epoch off':>10} {'epoch on':>9} {'ratio':>6} {'1st off':>8} {'1st on':>7} "
          f"{'loss off':>9} {'loss on':>8}", file=report)
    for model in args.models:
        row = {key: {side: median(on, model, key) for side, on in (("off", False), ("on", True))}
               for key in ("epoch", "first", "loss")}
        row["ratio"] = row["epoch"]["off"] / row["epoch"]["on"]
        summary[model] = row
        print(f"{model:10} {row['epoch']['off']:>9.2f}s {row['epoch']['on']:>8.2f}s {row['ratio']:>6.2f} "
              f"{row['first']['off']:>7.1f}s {row['first']['on']:>6.1f}s {row['loss']['off']:>9.4f} "
              f"{row['loss']['on']:>8.4f}", file=report)
    print(f"load average after: {os.getloadavg()[0]:.2f}", file=report)
    if args.json:
        print(json.dumps({"device": device_name(), "repeats": args.repeats, "models": summary}))


if __name__ == "__main__":
    main()
