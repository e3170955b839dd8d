"""sketchlab's optimizers train as Keras' own: FusedAdam (Keras' Adam update, one
kernel per variable) and LossScaleOptimizer (on one device, Keras' own; its
agreement between replicas is tested under a strategy in test_distribute.py)."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from sketchlab import gans
from sketchlab.optimizers import FusedAdam, LossScaleOptimizer

STEPS = 3


def _model() -> keras.Model:
    """A small net with every kind of weight the course's networks have:
    kernels, biases, BatchNorm (after a convolution without bias, as in the
    networks: a bias there has no gradient but float noise, which Adam
    scales up to full steps)."""
    inputs = keras.Input((8, 8, 2))
    x = keras.layers.Conv2D(4, 3, padding="same", use_bias=False)(inputs)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.LeakyReLU(0.2)(x)
    x = keras.layers.Conv2D(1, 3, padding="same")(x)
    return keras.Model(inputs, x)


def _data() -> tf.data.Dataset:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(STEPS * 2, 8, 8, 2)).astype("float32")
    y = np.tanh(x[..., :1] * 2)
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(2)


def _train(optimizer: keras.optimizers.Optimizer, jit_compile: bool = False) -> tuple[list, list, float]:
    keras.utils.set_random_seed(0)
    model = _model()
    model.compile(optimizer=optimizer, loss="mean_absolute_error", jit_compile=jit_compile)
    history = model.fit(_data(), epochs=1, verbose=0, shuffle=False)
    return ([np.asarray(w) for w in model.weights], [np.asarray(v) for v in optimizer.variables],
            history.history["loss"][-1])


def _untrained() -> list[np.ndarray]:
    keras.utils.set_random_seed(0)
    return [np.asarray(w) for w in _model().weights]


def _assert_same(fused, plain, rtol: float = 1e-4) -> None:
    """The same weights, optimizer variables and loss, within float rounding:
    each array to ``rtol`` of its largest value, or for the weights of the
    largest change the steps made (the kernel rounds the same arithmetic
    in another order, and Adam divides by small numbers)."""
    start = _untrained()
    for got, want, before in zip(fused[0], plain[0], start, strict=True):
        np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * np.abs(want - before).max())
    for got, want in zip(fused[1], plain[1], strict=True):
        np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * np.abs(want).max())
    assert fused[2] == pytest.approx(plain[2], rel=rtol)


SETTINGS = {
    "the GAN settings": dict(learning_rate=2e-4, beta_1=0.5),
    "a schedule": dict(learning_rate=gans.LinearDecay(1e-2, total_steps=STEPS, constant_steps=1), beta_1=0.5),
    "clipping and weight decay": dict(learning_rate=1e-2, clipnorm=0.1, weight_decay=0.05),
    "amsgrad (Keras' own update)": dict(learning_rate=1e-2, amsgrad=True),
}


@pytest.mark.parametrize("settings", SETTINGS.values(), ids=SETTINGS.keys())
def test_fused_adam_trains_as_keras_adam(settings):
    plain = _train(keras.optimizers.Adam(**settings))
    fused = _train(FusedAdam(**settings))
    _assert_same(fused, plain)
    # the steps moved the weights, by far more than the tolerance
    assert max(np.abs(a - b).max() for a, b in zip(fused[0], _untrained())) > 1e-4


def test_fused_adam_under_xla_and_loss_scaling():
    _assert_same(_train(FusedAdam(1e-2), jit_compile=True), _train(keras.optimizers.Adam(1e-2)))
    _assert_same(_train(keras.optimizers.LossScaleOptimizer(FusedAdam(1e-2))),
                 _train(keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(1e-2))))


def _op_types(function: tf.types.experimental.ConcreteFunction) -> list[str]:
    graph = function.graph
    types = [op.type for op in graph.get_operations()]
    for inner in graph._functions.values():  # noqa: SLF001  (nested functions: cond and loop bodies)
        types += [node.op for node in inner.definition.node_def]
    return types


def test_one_fused_kernel_per_variable():
    model = _model()
    variables = model.trainable_variables
    optimizer = FusedAdam(1e-3)
    optimizer.build(variables)
    grads = [tf.ones_like(v) for v in variables]
    step = tf.function(lambda: optimizer.apply_gradients(zip(grads, variables))).get_concrete_function()
    types = _op_types(step)
    assert types.count("ResourceApplyAdam") == len(variables) == 5
    plain = keras.optimizers.Adam(1e-3)
    plain.build(variables)
    plain_types = _op_types(tf.function(lambda: plain.apply_gradients(zip(grads, variables))).get_concrete_function())
    # Keras' update: some twenty ops more per variable
    assert "ResourceApplyAdam" not in plain_types and len(plain_types) - len(types) >= 15 * len(variables)


def test_saved_and_loaded_with_its_state(tmp_path):
    optimizer = FusedAdam(gans.LinearDecay(1e-3, total_steps=10), beta_1=0.5, epsilon=1e-6)
    again = keras.optimizers.deserialize(keras.optimizers.serialize(optimizer))
    assert type(again) is FusedAdam and again.get_config() == optimizer.get_config()
    keras.utils.set_random_seed(0)
    model = _model()
    model.compile(optimizer=optimizer, loss="mean_absolute_error")
    model.fit(_data(), epochs=1, verbose=0, shuffle=False)
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras")
    assert type(loaded.optimizer) is FusedAdam
    for a, b in zip(loaded.optimizer.variables, optimizer.variables, strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert int(loaded.optimizer.iterations) == STEPS


def test_the_course_trains_with_it():
    assert type(gans.adam()) is FusedAdam and gans.adam().beta_1 == gans.BETA_1


def test_loss_scale_optimizer_on_one_device_is_keras_own():
    _assert_same(_train(LossScaleOptimizer(FusedAdam(1e-2))),
                 _train(keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(1e-2))))
    again = keras.optimizers.deserialize(keras.optimizers.serialize(LossScaleOptimizer(FusedAdam(1e-3))))
    assert type(again) is LossScaleOptimizer and type(again.inner_optimizer) is FusedAdam
