"""Train the models under ``tf.distribute.MirroredStrategy`` on two logical
CPU devices and without a strategy, for ``test_distribute.py``:
``python tests/distribute_worker.py OUT DATA_DIR``. The two devices must be
configured before TensorFlow initialises its devices, hence a process of
its own.

OUT gets:

- ``steps.npz`` and ``steps.json``: one training step of each case of
  :data:`CASES` from the same starting state, in each of its modes:
  ``single`` (no strategy), ``strategy`` (the code as it is) and, where the
  code has something to get wrong, ``naive`` (the strategy, with the model
  told that it runs on one replica, :class:`OneReplicaClaimed`: each step
  divides its loss by 1, so each replica differentiates the mean over its
  own examples and the optimizer sums the replicas' gradients). The npz holds every array to
  compare (``case|mode|name``: the networks' weights, the optimizers'
  variables, the image pools; mode ``start``: before the step), the json
  the logs the step reported and the variables whose copies on the two
  devices differ afterwards.
- ``mixed.json``: CycleGAN in mixed precision with loss-scaling Adam, 4
  steps: the loss scales and logs of each step and whether the weights
  stayed finite, on one device, under the strategy, and under the strategy
  with Keras' own ``LossScaleOptimizer`` instead of
  :class:`sketchlab.optimizers.LossScaleOptimizer` (no agreement between
  the replicas on overflow).
- ``adam.npz``: the U-Net's weights and optimizer variables after two
  traced steps with Keras' ``Adam`` on one device (mode ``keras``), with
  ``sketchlab.optimizers.FusedAdam`` on one device (``fused``) and with
  ``FusedAdam`` under the strategy (``fused_strategy``), from the same start.
- ``noise.json``: ``GAN.noise(2)`` on each replica and ``noise(4)`` on one
  device, from the same seed.
- ``fit.json``: each ``sketchlab.training`` function called inside
  ``strategy.scope()`` on DATA_DIR for one epoch (traced, as a student runs
  it): its history, the files of its run folder, its variables out of
  sync; pix2pix and CycleGAN (:data:`RESUMED`) then called again on the
  same folder, which restores the finished run from its checkpoint: that
  call's history and whether its weights are the first call's.

The single steps run with ``run_eagerly=True``: Keras still runs each
replica's step through ``strategy.run`` and the optimizers still all-reduce
the gradients, and the test does not spend a minute tracing the models'
graphs; the ``fit.json`` runs are traced.
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import tensorflow as tf

CPU = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(CPU, [tf.config.LogicalDeviceConfiguration()] * 2)
# no Grappler rewrites of the traced graphs: the same computation, and the
# fit runs take 26 s instead of 41 s on 2 cores
tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})

import dataclasses  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402

from sketchlab import gans, models  # noqa: E402
from sketchlab.optimizers import FusedAdam, LossScaleOptimizer  # noqa: E402

SIZE = 32
LR = 0.1  # plain SGD: the update is LR times the gradient, so a gradient N times too large shows in the weights
LATENT = 8
POOL = 4


def mirrored() -> tf.distribute.Strategy:
    return tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])


def sgd() -> keras.optimizers.Optimizer:
    return keras.optimizers.SGD(LR)


# ------------------------------------------------------------------ the cases
# A case builds (model, data, arrays): data is one global batch of 2;
# arrays(model) names every array to compare.


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _twice(x: np.ndarray) -> np.ndarray:
    """A batch of two identical examples: each replica's half is the same."""
    return np.concatenate([x, x])


def _arrays(model: keras.Model, networks, optimizers) -> dict[str, np.ndarray]:
    out = {f"{n}/{i}/{w.name}": np.asarray(w) for n in networks for i, w in enumerate(getattr(model, n).weights)}
    for n in optimizers:
        out.update({f"{n}/{i}/{v.name}": np.asarray(v) for i, v in enumerate(getattr(model, n).variables)})
    return out


def _paired(seed: int):
    photo = _rng(seed).uniform(-1, 1, (1, SIZE, SIZE, 3)).astype("float32")
    sketch = np.tanh(photo.mean(axis=-1, keepdims=True) * 3)
    return tf.data.Dataset.from_tensor_slices((_twice(photo), _twice(sketch))).batch(2)


def _unet(optimizer: keras.optimizers.Optimizer) -> keras.Model:
    model = models.unet(SIZE, filters=8, max_filters=32, dropout=0.0)
    model.compile(optimizer=optimizer, loss="mean_absolute_error")
    return model


def unet_case():
    """Method 1: the U-Net fitted with L1 by Keras' own train_step."""
    model = _unet(sgd())

    def arrays(m):
        return {**{f"unet/{i}/{w.name}": np.asarray(w) for i, w in enumerate(m.weights)},
                **{f"optimizer/{i}/{v.name}": np.asarray(v) for i, v in enumerate(m.optimizer.variables)}}

    return model, _paired(1), arrays


class FixedNoiseGAN(gans.GAN):
    """A GAN whose noise is one fixed z for every image, so that the two
    halves of a batch, and the generator's BatchNorm statistics, are the
    same on one device and on each replica."""

    Z = _rng(2).normal(size=(1, LATENT)).astype("float32")

    def noise(self, count):
        return tf.tile(tf.constant(self.Z), [count, 1])


def gan_case():
    model = FixedNoiseGAN(models.dcgan_generator(LATENT, filters=4), models.dcgan_discriminator(filters=4), seed=1)
    model.compile(d_optimizer=sgd(), g_optimizer=sgd())
    real = _twice(_rng(3).uniform(-1, 1, (1, 64, 64, 1)).astype("float32"))
    data = tf.data.Dataset.from_tensor_slices(real).batch(2)
    return model, data, lambda m: _arrays(m, ("generator", "discriminator"), ("d_optimizer", "g_optimizer"))


def pix2pix_case():
    model = gans.Pix2Pix(models.unet(SIZE, filters=8, max_filters=32, dropout=0.0),
                         models.patchgan(SIZE, filters=8, max_filters=32))
    model.compile(d_optimizer=sgd(), g_optimizer=sgd())
    return model, _paired(4), lambda m: _arrays(m, ("generator", "discriminator"), ("d_optimizer", "g_optimizer"))


def _cyclegan(optimizer) -> gans.CycleGAN:
    model = gans.CycleGAN(
        models.resnet_generator(SIZE, 4, n_blocks=1, in_channels=3, out_channels=1),
        models.resnet_generator(SIZE, 4, n_blocks=1, in_channels=1, out_channels=3),
        models.patchgan(SIZE, 4, 16, in_channels=0, out_channels=1, norm="instance"),
        models.patchgan(SIZE, 4, 16, in_channels=0, out_channels=3, norm="instance"),
        pool_size=POOL, seed=0)
    model.compile(g_optimizer=optimizer(), d_optimizer=optimizer())
    return model


def _unpaired(seed: int, batches: int = 1):
    rng = _rng(seed)
    photo = rng.uniform(-1, 1, (2 * batches, SIZE, SIZE, 3)).astype("float32")
    sketch = rng.uniform(-1, 1, (2 * batches, SIZE, SIZE, 1)).astype("float32")
    return tf.data.Dataset.from_tensor_slices((photo, sketch)).batch(2)


def cyclegan_case():
    """Two different photos and sketches (instance norm: no batch
    statistics), and full pools of distinct old images, so that the step
    swaps some of them."""
    model = _cyclegan(sgd)
    rng = _rng(5)
    for pool in (model.sketch_pool, model.photo_pool):
        pool.images.assign(rng.uniform(-1, 1, pool.images.shape).astype("float32"))
        pool.count.assign(POOL)

    def arrays(m):
        pools = {f"{p.name}/{w.name}": np.asarray(w) for p in (m.sketch_pool, m.photo_pool) for w in p.weights}
        return {**_arrays(m, m.NETWORKS, m.UPDATES), **pools}

    return model, _unpaired(6), arrays


CASES = {"unet": unet_case, "gan": gan_case, "pix2pix": pix2pix_case, "cyclegan": cyclegan_case}
NAIVE = ("pix2pix", "cyclegan")  # custom train_steps of each shape (the GAN's is pix2pix's; the U-Net's is Keras' own)


# ------------------------------------------------------------------ running


def _out_of_sync(model: keras.Model) -> list[str]:
    """The variables of ``model`` whose copies on the devices differ, or are not finite."""
    odd = []
    for v in model.variables:
        copies = [np.asarray(c) for c in getattr(v.value, "values", [v.value])]
        if (any(not np.isfinite(c).all() for c in copies if c.dtype.kind == "f")
                or any(not np.array_equal(copies[0], c) for c in copies[1:])):
            odd.append(v.path)
    return odd


def _build(name: str, strategy: tf.distribute.Strategy | None, reference: keras.Model | None = None):
    """Case ``name`` built on one device or in ``strategy``'s scope, from ``reference``'s state."""
    keras.utils.set_random_seed(0)
    with strategy.scope() if strategy is not None else contextlib.nullcontext():
        model, data, arrays = CASES[name]()
        if reference is not None:  # every variable: weights, pools, random states
            for a, b in zip(reference.variables, model.variables, strict=True):
                b.assign(np.asarray(a))
    model.run_eagerly = True
    return model, data, arrays


class OneReplicaClaimed:
    """``strategy`` in every respect but one: it claims to run on one
    replica, so a step that divides its loss by the number of replicas
    divides it by 1 (what a step that forgot the division computes)."""

    num_replicas_in_sync = 1

    def __init__(self, strategy: tf.distribute.Strategy):
        self._strategy = strategy

    def __getattr__(self, name: str):
        return getattr(self._strategy, name)


def steps(out: Path, strategy: tf.distribute.Strategy) -> None:
    arrays, logs = {}, {}
    for name in CASES:
        reference = _build(name, None)[0]
        modes = {"single": None, "strategy": strategy}
        if name in NAIVE:
            modes["naive"] = strategy
        logs[name] = {}
        for mode, where in modes.items():
            model, data, names = _build(name, where, reference)
            if mode == "naive":
                model._distribute_strategy = OneReplicaClaimed(strategy)
            if mode == "single":
                arrays.update({f"{name}|start|{k}": v for k, v in names(model).items()})
            history = model.fit(data, epochs=1, verbose=0)
            logs[name][mode] = {"logs": {k: float(v[-1]) for k, v in history.history.items()},
                                "out_of_sync": _out_of_sync(model) if where is not None else []}
            arrays.update({f"{name}|{mode}|{k}": v for k, v in names(model).items()})
    np.savez(out / "steps.npz", **arrays)
    (out / "steps.json").write_text(json.dumps(logs, indent=1))


def mixed(out: Path, strategy: tf.distribute.Strategy) -> None:
    """CycleGAN in mixed precision, as ``train_cyclegan`` trains it on GPUs."""

    def build(where, reference=None, loss_scaling=LossScaleOptimizer):
        keras.utils.set_random_seed(0)
        previous = keras.config.dtype_policy()
        keras.config.set_dtype_policy("mixed_float16")
        try:
            with where.scope() if where is not None else contextlib.nullcontext():
                model = _cyclegan(lambda: loss_scaling(gans.adam()))
                for a, b in zip(reference.variables if reference else [], model.variables, strict=False):
                    b.assign(np.asarray(a))
        finally:
            keras.config.set_dtype_policy(previous)
        model.run_eagerly = True
        return model

    class Record(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.scales, self.logs = [], []

        def on_train_batch_end(self, batch, logs=None):
            self.scales.append([float(np.asarray(getattr(self.model, o).dynamic_scale)) for o in self.model.UPDATES])
            self.logs.append({k: float(v) for k, v in logs.items()})

    reference, result = build(None), {}
    for mode, where in (("single", None), ("strategy", strategy), ("no_agreement", strategy)):
        loss_scaling = keras.optimizers.LossScaleOptimizer if mode == "no_agreement" else LossScaleOptimizer
        model, record = build(where, reference, loss_scaling), Record()
        model.fit(_unpaired(7, batches=4), epochs=1, verbose=0, callbacks=[record])
        result[mode] = {"scales": record.scales, "logs": record.logs,
                        "finite": all(np.isfinite(np.asarray(w)).all() for w in model.weights)}
    (out / "mixed.json").write_text(json.dumps(result, indent=1))


def adam(out: Path, strategy: tf.distribute.Strategy) -> None:
    """Two traced U-Net steps with Keras' Adam and with FusedAdam, on one device and under the strategy."""
    arrays, start = {}, None
    for mode, where, optimizer in (("keras", None, keras.optimizers.Adam), ("fused", None, FusedAdam),
                                   ("fused_strategy", strategy, FusedAdam)):
        keras.utils.set_random_seed(0)
        with where.scope() if where is not None else contextlib.nullcontext():
            model = _unet(optimizer(1e-3, beta_1=0.5))
            if start is None:
                start = [np.asarray(w) for w in model.weights]
            for w, value in zip(model.weights, start, strict=True):
                w.assign(value)
        model.fit(_paired(8).concatenate(_paired(9)), epochs=1, verbose=0)
        arrays.update({f"{mode}|weights/{i}/{w.name}": np.asarray(w) for i, w in enumerate(model.weights)})
        arrays.update({f"{mode}|optimizer/{i}/{v.name}": np.asarray(v) for i, v in enumerate(model.optimizer.variables)})
    arrays.update({f"start|weights/{i}/{w.name}": value for i, (w, value) in enumerate(zip(model.weights, start))})
    np.savez(out / "adam.npz", **arrays)


def noise(out: Path, strategy: tf.distribute.Strategy) -> None:
    def gan():
        keras.utils.set_random_seed(0)
        return gans.GAN(models.dcgan_generator(LATENT, filters=4), models.dcgan_discriminator(filters=4), seed=7)

    with strategy.scope():
        distributed = gan()
    per_replica = strategy.run(tf.function(lambda: distributed.noise(2)))
    result = {"replicas": [np.asarray(t).tolist() for t in strategy.experimental_local_results(per_replica)],
              "one_device": np.asarray(gan().noise(4)).tolist()}
    (out / "noise.json").write_text(json.dumps(result))


# restored from their checkpoints under the strategy: the two adversarial trainers (the U-Net's and
# the DCGAN's runs restore through the same training._fit)
RESUMED = ("pix2pix", "cyclegan")


def fit_runs(out: Path, strategy: tf.distribute.Strategy, data_dir: str) -> None:
    """Each training function called inside ``strategy.scope()``, for one epoch."""
    from sketchlab.config import PROFILES
    from sketchlab.data import load_cufs
    from sketchlab.training import train_cyclegan, train_dcgan, train_generator, train_pix2pix

    tiny = dataclasses.replace(PROFILES["quick"], image_size=SIZE, filters=4, max_filters=16, cyclegan_blocks=1)
    data = load_cufs(data_dir)
    calls = {
        "unet": lambda folder: train_generator("unet", data, tiny, out=folder, epochs=1, verbose=0),
        "pix2pix": lambda folder: train_pix2pix(data, tiny, out=folder, epochs=1, verbose=0),
        "dcgan": lambda folder: train_dcgan(data, tiny, out=folder, epochs=1, batch_size=4, verbose=0),
        "cyclegan": lambda folder: train_cyclegan(data, tiny, out=folder, epochs=1, verbose=0),
    }
    result = {}
    for name, call in calls.items():
        with strategy.scope():
            run = call(out / name)
        again = None
        if name in RESUMED:
            with strategy.scope():
                again = call(out / name)
        result[name] = {"history": run.history, "out_of_sync": _out_of_sync(run.model),
                        "replicas": run.model.distribute_strategy.num_replicas_in_sync,
                        "files": sorted(p.name for p in (out / name).iterdir()),
                        "again": again and again.history,
                        "same_weights": again is not None and all(
                            np.array_equal(np.asarray(a), np.asarray(b))
                            for a, b in zip(run.model.weights, again.model.weights, strict=True))}
    (out / "fit.json").write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    target = Path(sys.argv[1])
    target.mkdir(parents=True, exist_ok=True)
    two = mirrored()
    steps(target, two)
    mixed(target, two)
    adam(target, two)
    noise(target, two)
    fit_runs(target, two, sys.argv[2])
    print("done")
