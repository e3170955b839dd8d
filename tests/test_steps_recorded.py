"""Recorded training steps: each adversarial model of :mod:`sketchlab.gans`
(``GAN``, ``Pix2Pix``, ``CycleGAN``) trains two steps from fixed weights on a
fixed batch, and its losses, weights and optimizer state must match the
values recorded in ``recorded_steps.npz`` from the implementation of the
time, to float tolerance. A rewrite of a ``train_step`` that keeps the
algorithm passes; one that changes what a step computes fails.

The networks are tiny ones from the real builders of :mod:`sketchlab.models`
(weights set from NumPy's generator, so the start does not depend on Keras'
random numbers), compiled as :mod:`sketchlab.training` compiles them
(:func:`gans.adam`, a :class:`~sketchlab.optimizers.FusedAdam`; pix2pix and
CycleGAN with :class:`gans.LinearDecay` schedules that decay from the first
step), and trained by ``fit`` on a dataset for two steps: the second runs
with Adam's moments of the first and, for CycleGAN, with the image pools the
first filled (the second step both keeps and swaps images). Recorded per model:

- every tracker after each step, as ``fit`` reports them (running means);
- every weight of every network after the steps, in full: the trainable
  ones and BatchNorm's moving statistics (and CycleGAN's pools);
- each optimizer's iteration count and, per weight, the norms of Adam's two
  moments: Adam moves a weight by about its learning rate whatever the
  size of the gradient, so a loss multiplied by a constant would move the
  weights almost as before, but not the moments.

Not recorded: the bias of a convolution that feeds an instance norm (the
norm takes it off again, so its gradient is float rounding noise, which
Adam turns into a step of up to its learning rate in a random direction).

The steps run eagerly (``run_eagerly=True``): the same values to float
rounding as in a graph, in well under half the time (tracing the steps
takes longer than running them). Recording checks that the graph, as
``fit`` trains, agrees within the tolerances.

To record again, only when a change of the algorithm is intended (and say
so in the commit message)::

    python tests/test_steps_recorded.py --record

The values are recorded on CPU; GPU kernels round differently (TF32), so
the test is skipped where TensorFlow sees a GPU.
"""

from __future__ import annotations

import sys
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from sketchlab import gans, models

RECORDED = Path(__file__).with_name("recorded_steps.npz")
STEPS = 2
MODELS = ("gan", "pix2pix", "cyclegan")

# Tolerances. Reruns on one CPU give the same bits; oneDNN off
# (TF_ENABLE_ONEDNN_OPTS=0) and the steps run as a graph differ by float
# rounding: the trackers by up to 2e-7 relative, the weights by up to 5e-8
# (1/4000 of an Adam step of 2e-4), the pooled images by 1e-6, the moments'
# norms by 4e-6 relative. The tolerances leave margins of 20x (the pools)
# to 500x (the trackers), and stay far below what a change of the algorithm
# moves (a weight moves by about 2e-4 per step).
LOSS_RTOL, LOSS_ATOL = 1e-4, 1e-5  # trackers: losses, D's accuracies, G's gradient norm
WEIGHT_ATOL = 1e-2 * gans.LEARNING_RATE  # absolute: 1/100 of an Adam step
POOL_ATOL = 2e-5  # generated images in [-1, 1]
MOMENT_RTOL, MOMENT_ATOL = 1e-4, 1e-4  # relative; atol as a fraction of the largest norm of the optimizer


def _fixed_weights(networks: dict[str, keras.Model], seed: int) -> None:
    """Set every trainable weight from ``np.random.default_rng(seed)``:
    1 + N(0, 0.02) for BatchNorm's scale, the builders' N(0, 0.02) for the
    others (kernels, biases, offsets). The start does not depend on Keras'
    random numbers; the non-trainable weights keep their constant initial
    values (BatchNorm's moving statistics, CycleGAN's empty pools)."""
    rng = np.random.default_rng(seed)
    for name in sorted(networks):
        for variable in networks[name].trainable_weights:
            values = rng.normal(0.0, models.INIT_STDDEV, variable.shape)
            if variable.path.endswith("/gamma"):
                values += 1.0
            variable.assign(values.astype(variable.dtype))


def _batch(*shapes: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(0)
    return tuple(rng.uniform(-1, 1, shape).astype("float32") for shape in shapes)


def _gan(**compile_options):
    gen, disc = models.dcgan_generator(latent_dim=8, filters=2), models.dcgan_discriminator(filters=2)
    model = gans.GAN(gen, disc, seed=1)
    _fixed_weights({"generator": gen, "discriminator": disc}, seed=1)
    model.compile(d_optimizer=gans.adam(), g_optimizer=gans.adam(), **compile_options)  # as train_dcgan
    (sketches,) = _batch((4, 64, 64, 1))
    return model, sketches


def _pix2pix(**compile_options):
    gen = models.unet(32, filters=4, max_filters=8)
    disc = models.patchgan(32, filters=4, max_filters=8, n_layers=2)
    model = gans.Pix2Pix(gen, disc, lambda_l1=gans.LAMBDA_L1, lambda_ssim=10.0)  # the SSIM term on: recorded too
    _fixed_weights({"generator": gen, "discriminator": disc}, seed=2)
    # as train_pix2pix with decay and a discriminator rate of its own; the
    # decay starts at once, so the second step has a lower rate
    model.compile(d_optimizer=gans.adam(gans.LinearDecay(1e-4, total_steps=4, constant_steps=0)),
                  g_optimizer=gans.adam(gans.LinearDecay(gans.LEARNING_RATE, total_steps=4, constant_steps=0)),
                  **compile_options)
    photos, sketches = _batch((2, 32, 32, 3), (2, 32, 32, 1))
    return model, (photos, sketches)


def _cyclegan(**compile_options):
    networks = {
        "i2s": models.resnet_generator(32, 4, n_blocks=1, in_channels=3, out_channels=1, name="i2s"),
        "s2i": models.resnet_generator(32, 4, n_blocks=1, in_channels=1, out_channels=3, name="s2i"),
        "d_sketch": models.patchgan(32, 4, 8, in_channels=0, out_channels=1, n_layers=2, norm="instance",
                                    name="d_sketch"),
        "d_photo": models.patchgan(32, 4, 8, in_channels=0, out_channels=3, n_layers=2, norm="instance",
                                   name="d_photo"),
    }
    # pools of 2 and batches of 2: the first step fills them; in the second,
    # the sketch pool keeps one new fake and swaps one, the photo pool swaps both
    model = gans.CycleGAN(**networks, lambda_cycle=gans.LAMBDA_CYCLE, lambda_identity=gans.LAMBDA_IDENTITY,
                          pool_size=2, seed=0)
    _fixed_weights(networks, seed=3)
    # as train_cyclegan (float32, on CPU): one optimizer per side, each decaying linearly
    model.compile(*(gans.adam(gans.LinearDecay(gans.LEARNING_RATE, total_steps=4, constant_steps=0))
                    for _ in range(2)), **compile_options)
    photos, sketches = _batch((2, 32, 32, 3), (2, 32, 32, 1))
    return model, (photos, sketches)


BUILDERS = {"gan": _gan, "pix2pix": _pix2pix, "cyclegan": _cyclegan}
# the name each network's optimizer state is recorded under -> (network, optimizer attribute); the
# names are those of the recording, when CycleGAN had one optimizer per network (Adam keeps its state
# per weight, so one optimizer over two networks updates each as its own optimizer did)
RECORDED_OPTIMIZERS = {
    "gan": {"d_optimizer": ("discriminator", "d_optimizer"), "g_optimizer": ("generator", "g_optimizer")},
    "pix2pix": {"d_optimizer": ("discriminator", "d_optimizer"), "g_optimizer": ("generator", "g_optimizer")},
    "cyclegan": {"i2s_optimizer": ("i2s", "g_optimizer"), "s2i_optimizer": ("s2i", "g_optimizer"),
                 "d_sketch_optimizer": ("d_sketch", "d_optimizer"), "d_photo_optimizer": ("d_photo", "d_optimizer")},
}


def _noise_variables(network: keras.Model) -> set[str]:
    """Paths of the biases of layers whose output goes into an instance norm."""
    noise = set()
    for layer in network.layers:
        if isinstance(layer, models.InstanceNormalization):
            source = layer.input._keras_history.operation
            if getattr(source, "use_bias", False):
                noise.add(source.bias.path)
    return noise


class _Logs(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.steps: list[dict[str, float]] = []

    def on_train_batch_end(self, batch, logs=None):
        self.steps.append({k: float(np.asarray(v)) for k, v in (logs or {}).items()})


def _moments(optimizer: keras.optimizers.Optimizer, variable) -> tuple[np.ndarray, np.ndarray]:
    """Adam's first and second moment of ``variable``."""
    index = optimizer._get_variable_index(variable)
    numpy = keras.ops.convert_to_numpy
    return numpy(optimizer._momentums[index]), numpy(optimizer._velocities[index])


def run(name: str, eager: bool = True) -> dict[str, np.ndarray]:
    """Build ``name``'s model, train it ``STEPS`` steps with ``fit`` (its
    steps run eagerly unless ``eager`` is False), and return what is
    recorded, as flat ``{"<name>/<kind>/...": array}``."""
    keras.utils.set_random_seed(0)  # the seeds of the U-Net's dropout layers
    model, batch = BUILDERS[name](run_eagerly=eager, jit_compile=False)
    logs = _Logs()
    data = tf.data.Dataset.from_tensors(batch).repeat(STEPS)
    model.fit(data, epochs=1, steps_per_epoch=STEPS, verbose=0, callbacks=[logs], shuffle=False)
    assert len(logs.steps) == STEPS
    out: dict[str, np.ndarray] = {}
    for key in logs.steps[0]:
        out[f"log/{key}"] = np.array([step[key] for step in logs.steps], dtype="float64")
    for optimizer_name, (network_name, attribute) in RECORDED_OPTIMIZERS[name].items():
        network, optimizer = getattr(model, network_name), getattr(model, attribute)
        noise = _noise_variables(network)
        for variable in network.weights:  # trainable ones and BatchNorm's moving statistics
            if variable.path not in noise:
                out[f"weight/{network_name}/{variable.path}"] = keras.ops.convert_to_numpy(variable)
        out[f"iterations/{optimizer_name}"] = np.array(int(optimizer.iterations))
        moments = [_moments(optimizer, v) for v in network.trainable_weights if v.path not in noise]
        out[f"m_norm/{optimizer_name}"] = np.array([np.linalg.norm(m) for m, _ in moments])
        out[f"v_norm/{optimizer_name}"] = np.array([np.linalg.norm(v) for _, v in moments])
    for pool_name in ("sketch_pool", "photo_pool"):  # CycleGAN's
        if hasattr(model, pool_name):
            for variable in getattr(model, pool_name).weights:
                out[f"pool/{pool_name}/{variable.name}"] = keras.ops.convert_to_numpy(variable)
    return {f"{name}/{key}": value for key, value in out.items()}


def compare(got: dict[str, np.ndarray], expected: dict[str, np.ndarray]) -> list[str]:
    """What of ``got`` differs from ``expected`` beyond the tolerances: one line per array."""
    if sorted(got) != sorted(expected):  # other trackers, weights or optimizers
        return [f"recorded but not made: {sorted(set(expected) - set(got))}",
                f"made but not recorded: {sorted(set(got) - set(expected))}"]
    differ = []
    for key, want in expected.items():
        have = got[key]
        kind = key.split("/")[1]
        if kind == "log":
            rtol, atol = LOSS_RTOL, LOSS_ATOL
        elif kind in ("m_norm", "v_norm"):
            rtol, atol = MOMENT_RTOL, MOMENT_ATOL * float(np.max(want))
        elif kind == "weight":
            rtol, atol = 0.0, WEIGHT_ATOL
        elif kind == "pool" and want.dtype.kind == "f":
            rtol, atol = 0.0, POOL_ATOL
        else:  # iteration counts, the pools' fill counts and draws
            rtol, atol = 0.0, 0.0
        have64, want64 = np.asarray(have, "float64"), np.asarray(want, "float64")
        if have.shape != want.shape or not np.allclose(have64, want64, rtol=rtol, atol=atol):
            if have.shape != want.shape:
                differ.append(f"{key}: shape {have.shape}, recorded {want.shape}")
                continue
            worst = np.unravel_index(np.argmax(np.abs(have64 - want64) - rtol * np.abs(want64)), want.shape)
            differ.append(f"{key}: {have64[worst]:.8g} at {tuple(int(i) for i in worst)}, recorded "
                          f"{want64[worst]:.8g} (rtol {rtol:g}, atol {atol:g})")
    return differ


def record(path: Path = RECORDED) -> None:
    """Record the steps of every model in ``path``, after checking that they
    run the same as a graph (as ``fit`` trains) as eagerly (as the test runs them)."""
    values: dict[str, np.ndarray] = {}
    for name in MODELS:
        values.update(run(name))
        differ = compare(run(name, eager=False), {k: v for k, v in values.items() if k.startswith(f"{name}/")})
        if differ:
            sys.exit(f"{name}: the steps differ as a graph and eagerly:\n" + "\n".join(differ))
    np.savez_compressed(path, **values)
    print(f"recorded {len(values)} arrays ({sum(v.size for v in values.values())} values) in {path}")


@pytest.fixture(scope="module")
def recorded() -> dict[str, np.ndarray]:
    if tf.config.list_physical_devices("GPU"):
        pytest.skip("the steps are recorded on CPU; GPU kernels round differently")
    with np.load(RECORDED) as f:
        return dict(f)


@pytest.mark.parametrize("name", MODELS)
def test_two_steps_match_the_recording(name, recorded):
    differ = compare(run(name), {k: v for k, v in recorded.items() if k.startswith(f"{name}/")})
    assert not differ, (f"{len(differ)} arrays differ from {RECORDED.name} (re-record only for an intended "
                        "change of the algorithm; see the module docstring):\n" + "\n".join(differ[:20]))


if __name__ == "__main__":
    if sys.argv[1:] != ["--record"]:
        sys.exit(f"usage: python {sys.argv[0]} --record  (writes {RECORDED.name}; see the module docstring)")
    record()
