"""Train a tiny CycleGAN into a run folder, for the interruption test:
``python tests/resume_worker.py DATA_DIR RUN_DIR EPOCHS`` (the same call
resumes), then the weights of all four networks go to RUN_DIR/weights.npz."""

from __future__ import annotations

import dataclasses
import sys

import numpy as np

from sketchlab.config import PROFILES
from sketchlab.data import load_cufs
from sketchlab.training import train_cyclegan

TINY = dataclasses.replace(PROFILES["quick"], filters=4, max_filters=16, cyclegan_blocks=1)


def main(toy: str, out: str, epochs: int) -> None:
    data = load_cufs(toy)  # a few pairs of each split: short epochs, so the test can kill one midway
    run = train_cyclegan(data, TINY, out=out, image_size=32, epochs=epochs, seed=3, verbose=0)
    weights = {f"{name}_{i}": np.asarray(w) for name in run.model.NETWORKS
               for i, w in enumerate(getattr(run.model, name).weights)}
    np.savez(f"{out}/weights.npz", **weights)
    print("done", len(run.history["g_loss"]))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
