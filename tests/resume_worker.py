"""Train a tiny CycleGAN into a run folder, for the interruption test:
``python tests/resume_worker.py DATA_DIR RUN_DIR EPOCHS [PAUSE_FILE]`` (the
same call resumes), then the weights of all four networks go to
RUN_DIR/weights.npz.

With PAUSE_FILE, the run stops in the middle of epoch 3, after its first
step, writes PAUSE_FILE and waits there to be killed: the test kills it at
the same point however long an epoch takes."""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path

import keras
import numpy as np

from sketchlab.config import PROFILES
from sketchlab.data import load_cufs
from sketchlab.training import train_cyclegan

TINY = dataclasses.replace(PROFILES["quick"], filters=4, max_filters=16, cyclegan_blocks=1)
PAUSE_EPOCH = 2  # epoch 3, counted from 0
WAIT = 600  # seconds to wait for the kill


class PauseInEpoch(keras.callbacks.Callback):
    """After the first step of epoch ``PAUSE_EPOCH``: write ``path`` and wait to be killed."""

    def __init__(self, path: str):
        super().__init__()
        self.path, self.epoch = Path(path), 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.epoch == PAUSE_EPOCH and batch == 0:
            self.path.write_text("epoch 3 under way\n")
            time.sleep(WAIT)
            raise RuntimeError(f"not killed within {WAIT} s")


def main(toy: str, out: str, epochs: int, pause_file: str | None = None) -> None:
    data = load_cufs(toy)  # a few pairs of each split: short epochs
    callbacks = [PauseInEpoch(pause_file)] if pause_file else []
    run = train_cyclegan(data, TINY, out=out, image_size=32, epochs=epochs, seed=3, verbose=0, callbacks=callbacks)
    weights = {f"{name}_{i}": np.asarray(w) for name in run.model.NETWORKS
               for i, w in enumerate(getattr(run.model, name).weights)}
    np.savez(f"{out}/weights.npz", **weights)
    print("done", len(run.history["g_loss"]))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), *sys.argv[4:5])
