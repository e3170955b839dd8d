"""Keras callbacks shared by the training runs of every method."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import keras
import numpy as np

GAP = 4  # pixels between tiles
LABEL_WIDTH, TITLE_HEIGHT = 56, 14


def image_grid(
    rows: dict[str, np.ndarray], titles: Sequence[str] | None = None, caption: str = "", scale: int | None = None
) -> np.ndarray:
    """Batches of images in [0, 1] as one uint8 RGB mosaic: a row per entry of
    ``rows`` (labelled on the left), a column per image (titled on top), a
    ``caption`` in the top-left corner, each image enlarged ``scale`` times
    (default: to at least 128 pixels).

    Drawn with Pillow rather than matplotlib, so a grid per epoch costs
    milliseconds, not a second.
    """
    from PIL import Image, ImageDraw

    batches = [np.clip(np.asarray(b, dtype=np.float32), 0, 1) for b in rows.values()]
    n = min(len(b) for b in batches)
    scale = scale or max(1, 128 // batches[0].shape[1])
    h, w = batches[0].shape[1] * scale, batches[0].shape[2] * scale
    top = TITLE_HEIGHT if titles or caption else 0
    canvas = Image.new("RGB", (LABEL_WIDTH + n * (w + GAP), top + len(batches) * (h + GAP)), "white")
    draw = ImageDraw.Draw(canvas)
    for r, (label, batch) in enumerate(zip(rows, batches)):
        y = top + r * (h + GAP)
        draw.text((2, y + h // 2 - 5), label, fill="black")
        for c in range(n):
            tile = (batch[c] * 255).round().astype(np.uint8)
            tile = np.repeat(tile, 3, axis=-1) if tile.shape[-1] == 1 else tile
            canvas.paste(Image.fromarray(tile).resize((w, h), Image.NEAREST), (LABEL_WIDTH + c * (w + GAP), y))
    draw.text((2, 1), caption, fill="black")
    for c, title in enumerate(list(titles or [])[:n]):
        draw.text((LABEL_WIDTH + c * (w + GAP) + 2, 1), str(title), fill="black")
    return np.asarray(canvas)


class SampleGrid(keras.callbacks.Callback):
    """After each epoch, save ``input / output / target`` on the same fixed
    faces as ``<folder>/epoch_<NNN>.png``, so the run can be watched learning.

    Args:
        photos: (N, S, S, 3) inputs in [-1, 1], the same faces every epoch.
        sketches: (N, S, S, 1) targets in [-1, 1].
        folder: where the PNG files go (created).
        titles: one title per face (the person ids).
        generator: the network that draws the sketches; default: the model
            being trained (a GAN passes its generator).
    """

    def __init__(
        self,
        photos: np.ndarray,
        sketches: np.ndarray,
        folder: str | Path,
        titles: Sequence[str] | None = None,
        generator: keras.Model | None = None,
    ):
        super().__init__()
        self.photos, self.sketches = np.asarray(photos), np.asarray(sketches)
        self.folder = Path(folder)
        self.titles = titles
        self.generator = generator

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        from PIL import Image

        self.folder.mkdir(parents=True, exist_ok=True)
        net = self.generator if self.generator is not None else self.model
        output = np.asarray(net(self.photos, training=False))
        grid = image_grid(
            {"input": (self.photos + 1) / 2, "output": (output + 1) / 2, "target": (self.sketches + 1) / 2},
            titles=self.titles,
            caption=f"epoch {epoch + 1}",
        )
        Image.fromarray(grid).save(self.folder / f"epoch_{epoch + 1:03d}.png")


class NoiseGrid(keras.callbacks.Callback):
    """After each epoch, save what the generator draws from the same fixed
    noise vectors as ``<folder>/epoch_<NNN>.png`` (a DCGAN's progress).

    Args:
        noise: (N, latent_dim) noise vectors, the same every epoch.
        folder: where the PNG files go (created).
        generator: the network that draws from the noise.
        columns: images per row of the grid.
    """

    def __init__(self, noise: np.ndarray, folder: str | Path, generator: keras.Model, columns: int = 8):
        super().__init__()
        self.noise = np.asarray(noise)
        self.folder = Path(folder)
        self.generator = generator
        self.columns = columns

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        from PIL import Image

        self.folder.mkdir(parents=True, exist_ok=True)
        images = (np.asarray(self.generator(self.noise, training=False)) + 1) / 2
        rows = {f"z {i + 1}-{min(i + self.columns, len(images))}": images[i : i + self.columns]
                for i in range(0, len(images), self.columns)}
        grid = image_grid(rows, caption=f"epoch {epoch + 1}", scale=2)
        Image.fromarray(grid).save(self.folder / f"epoch_{epoch + 1:03d}.png")
