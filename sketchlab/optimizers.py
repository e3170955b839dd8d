"""The optimizers every model here trains with, below the abstraction of
Keras' own and tested equal to them.

- :class:`FusedAdam`: ``keras.optimizers.Adam`` whose update of each
  variable is one fused TensorFlow kernel instead of some twenty small ops
  (docs/performance.md has the speed-up and the command that measures it).
- :class:`LossScaleOptimizer`: Keras' loss-scaling optimizer for mixed
  precision, whose replicas agree on an overflow under ``tf.distribute``.
"""

from __future__ import annotations

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="sketchlab")
class FusedAdam(keras.optimizers.Adam):
    """``keras.optimizers.Adam`` (same arguments, same state, same
    update) whose step for each variable is one ``ResourceApplyAdam``
    kernel.

    The kernel computes what Keras' Adam does, in the same order:
    ``alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)``,
    ``m += (g - m) * (1 - beta_1)``, ``v += (g^2 - v) * (1 - beta_2)``,
    ``w -= alpha * m / (sqrt(v) + epsilon)``, with ``t`` the step number
    (from 1). Its momentums and velocities are Adam's own variables, so
    checkpoints, ``LossScaleOptimizer``, learning-rate schedules, weight
    decay and gradient clipping (applied by the base class before
    ``update_step``) and ``tf.distribute`` strategies work as with Adam;
    XLA compiles the kernel too. ``amsgrad=True`` and sparse gradients
    (``tf.IndexedSlices``) take Keras' own update.
    """

    def update_step(self, gradient, variable, learning_rate):
        if self.amsgrad or isinstance(gradient, tf.IndexedSlices):
            return super().update_step(gradient, variable, learning_rate)
        if isinstance(variable, keras.Variable):
            variable = variable.value
        index = self._get_variable_index(variable)
        m, v = self._momentums[index].value, self._velocities[index].value
        dtype = variable.dtype
        step = tf.cast(self.iterations + 1, dtype)
        beta_1, beta_2 = tf.cast(self.beta_1, dtype), tf.cast(self.beta_2, dtype)
        tf.raw_ops.ResourceApplyAdam(
            var=variable.handle, m=m.handle, v=v.handle,
            beta1_power=tf.pow(beta_1, step), beta2_power=tf.pow(beta_2, step),
            lr=tf.cast(learning_rate, dtype), beta1=beta_1, beta2=beta_2,
            epsilon=tf.cast(self.epsilon, dtype), grad=tf.cast(gradient, dtype), use_locking=False)


@keras.saving.register_keras_serializable(package="sketchlab")
class LossScaleOptimizer(keras.optimizers.LossScaleOptimizer):
    """``keras.optimizers.LossScaleOptimizer`` (mixed precision: the loss is
    scaled up before the gradients, which are scaled down before the update,
    and a step whose gradients overflowed is skipped and the scale halved)
    whose replicas agree on an overflow; on one device it is Keras' own.

    Under a ``tf.distribute`` strategy Keras' optimizer decides from the
    first replica's gradients alone whether the step overflowed (it takes
    them for all-reduced ones; they are summed only afterwards), so another
    replica's overflow reached the weights as NaN. Here every replica's
    gradients are made non-finite when any replica's are (one scalar
    all-reduce), so every replica skips the step.
    """

    def apply(self, grads, trainable_variables=None):
        context = tf.distribute.get_replica_context()
        if context is not None and context.num_replicas_in_sync > 1:
            finite = tf.reduce_all([tf.reduce_all(tf.math.is_finite(g)) for g in grads if g is not None])
            overflows = context.all_reduce(tf.distribute.ReduceOp.SUM, 1.0 - tf.cast(finite, tf.float32))
            poison = tf.where(overflows > 0, float("nan"), 1.0)
            grads = [g if g is None else g * tf.cast(poison, g.dtype) for g in grads]
        return super().apply(grads, trainable_variables)
