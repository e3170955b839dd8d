"""Training under a ``tf.distribute`` strategy: one step under
``MirroredStrategy`` on two devices equals one step on one device on the
same global batch, and the training functions run inside a strategy's scope.

CI has no GPUs, so the strategy runs on two logical CPU devices. They must
be configured before TensorFlow initialises its devices, so the runs happen
in a fresh process, ``distribute_worker.py`` (see its docstring for what it
writes), once for the whole module; these tests check its results.

How the one-step comparison is made meaningful (the cases are built in
``distribute_worker.py``):

- Global batch 2, so each replica gets one example. Every twin starts from
  the same variables (weights, pools, random states), copied from one model.
- BatchNorm normalises with each replica's own batch statistics (Keras'
  default, and what the papers' batch of 1 per GPU means), which for
  different examples differ from the statistics of the whole batch on one
  device. So the models with BatchNorm (U-Net, DCGAN, pix2pix) get a batch
  of two identical examples: each replica's statistics then equal the whole
  batch's, and one step under the strategy must equal one step on one
  device exactly (up to float rounding), moving statistics included, while
  a gradient that is N times too large still shows. The DCGAN's noise is
  fixed to one z per image for the same reason (its generator has
  BatchNorm); that each replica draws its own rows of the global batch's
  noise is checked on its own (``test_each_replica_draws_its_own_rows_of_the_global_noise``).
  Dropout is off: each replica's masks come from the same seed state.
- CycleGAN has instance norm only, so it gets two different photos and
  sketches, and full image pools of distinct images, so that the step swaps
  images and the pool under the strategy (one pool for the global batch)
  must equal the pool on one device.
- Plain SGD: its update is the learning rate times the gradient, so an
  error in the scale of the gradient shows in the weights. (Adam's first
  update is about ``lr * sign(gradient)`` whatever the scale; it would hide
  the error in the weights, though not in its moments.)

Tolerance: ``rtol=1e-4, atol=1e-5`` for every reported loss and every
array, the absolute tolerance widened to 1e-3 of the step (the array's
largest change in the single-device step, :data:`STEP_RTOL`). Float rounding
differs between one batch of two and two batches of one, and instance norm
subtracts means, which magnifies it: CycleGAN's weights differ by up to 3e-4
of their step on an AMD EPYC Zen 3 (1.1e-4 on a step of 0.38, with and without
oneDNN), the other models' by about 1e-6 of theirs. A step N times too large
is off by N - 1 times the step.

``naive``: the same strategy step with the model told that it runs on one
replica (``distribute_worker.OneReplicaClaimed``), so each step divides its
loss by 1: each replica's mean loss, gradients summed by the optimizer. Its
update must be N = 2 times the right one, so these tests fail without the
division.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

WORKER = Path(__file__).with_name("distribute_worker.py")
RTOL, ATOL = 1e-4, 1e-5
STEP_RTOL = 1e-3  # of the largest change the single-device step made to an array
CASES = ("unet", "gan", "pix2pix", "cyclegan")
# the network each custom step updates first: its update is exactly N times too large in the naive step
FIRST_UPDATED = {"pix2pix": ("discriminator",), "cyclegan": ("i2s", "s2i")}


@pytest.fixture(scope="module")
def results(few_toy_dir, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("distribute")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    done = subprocess.run([sys.executable, str(WORKER), str(out), str(few_toy_dir)], capture_output=True, text=True,
                          env=env, timeout=600)
    assert done.returncode == 0 and "done" in done.stdout, done.stderr[-3000:]
    return out


def _arrays(results: Path, case: str, mode: str) -> dict[str, np.ndarray]:
    with np.load(results / "steps.npz") as npz:
        prefix = f"{case}|{mode}|"
        return {k[len(prefix):]: npz[k] for k in npz.files if k.startswith(prefix)}


def _atol(step: np.ndarray) -> float:
    """The absolute tolerance for an array that a step changed by ``step``."""
    return max(ATOL, STEP_RTOL * float(np.abs(step).max()))


def _json(results: Path, name: str) -> dict:
    return json.loads((results / name).read_text())


@pytest.mark.parametrize("case", CASES)
def test_one_step_under_the_strategy_equals_one_step_on_one_device(results, case):
    logs = _json(results, "steps.json")[case]
    single, strategy = logs["single"]["logs"], logs["strategy"]["logs"]
    assert set(single) == set(strategy)
    assert strategy == {k: pytest.approx(v, rel=RTOL, abs=ATOL) for k, v in single.items()}
    start, one, two = (_arrays(results, case, mode) for mode in ("start", "single", "strategy"))
    assert set(one) == set(two) and len(one) > 20
    for name in one:
        np.testing.assert_allclose(two[name], one[name], rtol=RTOL, atol=_atol(one[name] - start[name]),
                                   err_msg=name)
    # the step did move the weights, by far more than the tolerance (unmoved weights would prove nothing)
    assert max(np.abs(one[k] - start[k]).max() for k in start if "kernel" in k) > 100 * ATOL
    # every mirrored variable (weights, optimizer state, pools, random states) is one value on both devices
    assert logs["strategy"]["out_of_sync"] == []


def test_the_strategy_step_used_and_refilled_the_pool_as_one_device(results):
    start, one = _arrays(results, "cyclegan", "start"), _arrays(results, "cyclegan", "single")
    swapped = [name for name in ("sketch_pool/images", "photo_pool/images")
               if not np.array_equal(start[name], one[name])]
    assert swapped, "the step swapped no pooled image; the pool comparison would be empty"
    assert int(one["sketch_pool/draws"]) == 2  # one draw per image of the global batch


@pytest.mark.parametrize("case", sorted(FIRST_UPDATED))
def test_without_dividing_by_the_replicas_the_step_is_twice_too_large(results, case):
    start, one, naive = (_arrays(results, case, mode) for mode in ("start", "single", "naive"))
    far = [k for k in one if not np.allclose(naive[k], one[k], rtol=RTOL, atol=ATOL)]
    assert far, "the naive step equals the right one: this test could not fail"
    for name in (k for k in one if k.split("/")[0] in FIRST_UPDATED[case] and k.endswith("kernel")):
        step = one[name] - start[name]
        np.testing.assert_allclose(naive[name] - start[name], 2 * step, rtol=1e-3, atol=_atol(2 * step), err_msg=name)


def test_fused_adam_steps_as_keras_adam_on_one_device_and_under_the_strategy(results):
    with np.load(results / "adam.npz") as npz:
        modes = {m: {k.split("|", 1)[1]: npz[k] for k in npz.files if k.startswith(m + "|")}
                 for m in ("start", "keras", "fused", "fused_strategy")}
    keras_adam, start = modes["keras"], modes["start"]
    assert len(keras_adam) > 40 and set(modes["fused"]) == set(keras_adam) == set(modes["fused_strategy"])
    for mode in ("fused", "fused_strategy"):
        for name, value in keras_adam.items():
            moved = value - start[name] if name in start else value
            np.testing.assert_allclose(modes[mode][name], value, rtol=RTOL, atol=_atol(moved),
                                       err_msg=f"{mode}: {name}")
    # two steps moved every kernel (Adam's step is about its learning rate, 1e-3)
    assert min(np.abs(keras_adam[k] - start[k]).max() for k in start if "kernel" in k) > 100 * ATOL


def test_each_replica_draws_its_own_rows_of_the_global_noise(results):
    noise = _json(results, "noise.json")
    replicas, one_device = [np.array(r) for r in noise["replicas"]], np.array(noise["one_device"])
    assert [r.shape for r in replicas] == [(2, 8), (2, 8)]
    np.testing.assert_allclose(np.concatenate(replicas), one_device, rtol=1e-6)
    assert not np.allclose(replicas[0], replicas[1])


def test_mixed_precision_cyclegan_skips_overflowing_steps_on_every_replica(results):
    mixed = _json(results, "mixed.json")
    single, strategy, unagreed = mixed["single"], mixed["strategy"], mixed["no_agreement"]
    assert single["finite"] and strategy["finite"]
    # the loss scales halve on the same steps: the same steps were skipped
    assert strategy["scales"] == single["scales"] and single["scales"][0] != single["scales"][-1]
    for a, b in zip(single["logs"], strategy["logs"]):
        assert b == {k: pytest.approx(v, rel=1e-3) for k, v in a.items()}
    # without the replicas agreeing, an overflow on the second replica alone reached the weights
    assert not unagreed["finite"] and unagreed["scales"] != single["scales"]


@pytest.mark.parametrize("name", ["unet", "pix2pix", "dcgan", "cyclegan"])
def test_training_functions_run_inside_a_strategy_scope(results, name):
    run = _json(results, "fit.json")[name]
    assert run["replicas"] == 2
    assert {"checkpoint.weights.h5", "generator.keras", "history.csv", "samples"} <= set(run["files"])
    assert run["history"] and all(len(v) == 1 and np.isfinite(v[0]) for v in run["history"].values())
    # Keras' BatchNorm updates each device's copy of its moving statistics
    # from that device's share of the batch; nothing else may drift apart
    assert all(path.endswith(("moving_mean", "moving_variance")) for path in run["out_of_sync"]), run["out_of_sync"]
    # run again on its folder: restored from the checkpoint, nothing trained
    if name in ("pix2pix", "cyclegan"):  # distribute_worker.RESUMED
        assert run["again"] == run["history"] and run["same_weights"]
