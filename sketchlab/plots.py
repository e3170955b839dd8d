"""Figures: pairs side by side, paired jitter, batches from a pipeline,
model outputs beside their inputs and targets, loss curves, the robustness
suite's shifts."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from PIL import Image

from .data import Pair


def show_image(ax: plt.Axes, image: np.ndarray, title: str | None = None) -> None:
    """One image on ``ax``, without ticks: grey (H, W) or (H, W, 1) with a grey
    colour map, colour as it is; floats in [0, 1] or uint8."""
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    ax.imshow(image, cmap="gray" if image.ndim == 2 else None, vmin=0, vmax=255 if image.dtype == np.uint8 else 1)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=8)


def show_pairs(pairs: Sequence[Pair], columns: int = 4) -> plt.Figure:
    """A grid of photo | sketch pairs, titled with person id and split."""
    rows = -(-len(pairs) // columns)
    fig, axes = plt.subplots(rows, 2 * columns, figsize=(2.0 * columns * 1.6, rows * 2.3), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for i, pair in enumerate(pairs):
        r, c = divmod(i, columns)
        for j, path in enumerate((pair.photo, pair.sketch)):
            ax = axes[r, 2 * c + j]
            ax.axis("on")
            with Image.open(path) as im:
                show_image(ax, np.asarray(im), f"{pair.person_id} ({pair.split})" if j == 0 else path.name)
    fig.tight_layout()
    return fig


def show_batch(
    photos: np.ndarray, sketches: np.ndarray, titles: Sequence[str] | None = None, max_images: int = 8
) -> plt.Figure:
    """Photos above sketches from a pipeline batch (values in [-1, 1])."""
    photos, sketches = np.asarray(photos)[:max_images], np.asarray(sketches)[:max_images]
    n = len(photos)
    fig, axes = plt.subplots(2, n, figsize=(1.6 * n, 3.4), squeeze=False)
    for i in range(n):
        show_image(axes[0, i], (photos[i] + 1) / 2, titles[i] if titles else None)
        show_image(axes[1, i], (sketches[i] + 1) / 2)
    axes[0, 0].set_ylabel("photo")
    axes[1, 0].set_ylabel("sketch")
    fig.tight_layout()
    return fig


def _find_crop(big: np.ndarray, crop: np.ndarray) -> tuple[int, int, bool]:
    """Where ``crop`` was cut from ``big`` (top, left) and whether it was flipped."""
    size = crop.shape[0]
    best = (np.inf, 0, 0, False)
    for flipped in (False, True):
        target = crop[:, ::-1] if flipped else crop
        for top in range(big.shape[0] - size + 1):
            for left in range(big.shape[1] - size + 1):
                err = np.abs(big[top : top + size, left : left + size] - target).mean()
                best = min(best, (err, top, left, flipped))
    return best[1], best[2], best[3]


def show_jitter(
    photo: np.ndarray, sketch: np.ndarray, image_size: int, scale: float, variants: int = 5
) -> plt.Figure:
    """One pair under several random jitters: the same crop and flip on both.
    Each title gives the crop's top-left corner and whether it was flipped.

    Args:
        photo, sketch: padded square images (uint8 or float in [0, 255]).
        image_size, scale: as in :func:`sketchlab.pipeline.random_jitter`.
    """
    import tensorflow as tf

    from .pipeline import jitter_size, random_jitter, resize

    big = resize(sketch, jitter_size(image_size, scale)).numpy()
    fig, axes = plt.subplots(2, variants + 1, figsize=(1.9 * (variants + 1), 4.0), squeeze=False)
    show_image(axes[0, 0], np.asarray(photo, np.uint8), "original")
    show_image(axes[1, 0], np.asarray(sketch, np.uint8))
    for v in range(variants):
        p, s = random_jitter([photo, sketch], image_size, scale, tf.constant([v, 7], tf.int64))
        top, left, flipped = _find_crop(big, s.numpy())
        title = f"crop at ({top}, {left}){', flipped' if flipped else ''}"
        show_image(axes[0, v + 1], np.clip(p.numpy(), 0, 255).astype(np.uint8), title)
        show_image(axes[1, v + 1], np.clip(s.numpy(), 0, 255).astype(np.uint8))
    axes[0, 0].set_ylabel("photo")
    axes[1, 0].set_ylabel("sketch")
    fig.suptitle(f"random jitter: resize to {jitter_size(image_size, scale)}, crop {image_size}x{image_size}, maybe flip", fontsize=9)
    fig.tight_layout()
    return fig


def show_translations(
    rows: dict[str, np.ndarray], titles: Sequence[str] | None = None, suptitle: str | None = None,
    faces_down: bool = False,
) -> plt.Figure:
    """Images of the same faces in rows, one column per face.

    Args:
        rows: label -> a batch of images in [0, 1], (N, H, W, C); e.g.
            ``{"photo": ..., "output": ..., "target": ...}``.
        titles: one title per face (the person ids).
        suptitle: a title over the whole figure.
        faces_down: transpose: one row per face, one column per label
            (labels on top, titles on the left).
    """
    batches = {label: np.asarray(images) for label, images in rows.items()}
    n = min(len(b) for b in batches.values())
    shape = (n, len(batches)) if faces_down else (len(batches), n)
    fig, axes = plt.subplots(*shape, figsize=(1.5 * shape[1] + 0.4, 1.75 * shape[0] + 0.3), squeeze=False)
    for r, (label, images) in enumerate(batches.items()):
        for c in range(n):
            ax = axes[c, r] if faces_down else axes[r, c]
            show_image(ax, np.clip(images[c], 0, 1), (label if c == 0 else None) if faces_down
                       else (titles[c] if titles and r == 0 else None))
            if faces_down and titles and r == 0:
                ax.set_ylabel(titles[c], fontsize=9)
        if not faces_down:
            axes[r, 0].set_ylabel(label, fontsize=9)
    if suptitle:
        fig.suptitle(suptitle, fontsize=10)
    fig.tight_layout()
    return fig


def show_history(
    histories: dict[str, dict[str, Sequence[float]]], metric: str = "loss", ylabel: str | None = None
) -> plt.Figure:
    """Training and test curves of one metric per run, side by side.

    Args:
        histories: run name -> a Keras ``History.history`` dict (``metric``
            and/or ``val_<metric>`` lists, one value per epoch).
        metric: the key to plot.
        ylabel: the y axis label (default: ``metric``).
    """
    fig, axes = plt.subplots(1, len(histories), figsize=(4.2 * len(histories), 3.2), squeeze=False, sharey=True)
    for ax, (name, history) in zip(axes[0], histories.items()):
        for key, label in ((metric, "train"), (f"val_{metric}", "test")):
            if key in history:
                ax.plot(np.arange(1, len(history[key]) + 1), history[key], label=label)
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.legend()
    axes[0, 0].set_ylabel(ylabel or metric)
    fig.tight_layout()
    return fig


def show_shifts(photos: np.ndarray, sketch: np.ndarray, models: dict, face: int = 0, seed: int = 0,
                masks: int = 6, columns: int = 10) -> plt.Figure:
    """The robustness suite in one picture: test face ``face`` of ``photos``
    ((N, 250, 200, 3) in [0, 1]) under every shift of
    :data:`sketchlab.shifts.SHIFTS`, each model's sketch of it below (label
    -> photo -> sketch model), the artist's ``sketch`` last, and the backdrop
    masks (in red) of ``masks`` faces spread over ``photos``."""
    from .faces import translate
    from .shifts import SHIFTS, backdrop_mask

    shifted = {"clean": photos[face]}
    shifted.update({name: shift(photos[:face + 1], seed)[face] for name, shift in SHIFTS.items()})
    inputs = np.round(np.clip(np.stack(list(shifted.values())), 0, 1) * 255).astype(np.uint8)
    drawn = {label: translate(model, inputs) for label, model in models.items()}
    blocks = -(-(len(shifted) + 1) // columns)
    rows = blocks * (1 + len(models)) + (1 if masks else 0)
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 1.35, rows * 1.75), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for i, name in enumerate([*shifted, "the artist's sketch"]):
        block, column = divmod(i, columns)
        top = block * (1 + len(models))
        if i == len(shifted):
            show_image(axes[top, column], sketch, name)
            axes[top, column].axis("on")
            continue
        show_image(axes[top, column], inputs[i], name.replace(": ", ":\n"))
        for j, (label, sketches) in enumerate(drawn.items(), start=1):
            show_image(axes[top + j, column], sketches[i])
            if column == 0:
                axes[top + j, column].set_ylabel(label, fontsize=8)
        for ax in axes[top:top + 1 + len(models), column]:
            ax.axis("on")
    if masks:
        picks = np.linspace(0, len(photos) - 1, min(masks, len(photos), columns)).round().astype(int)
        for column, (photo, mask) in enumerate(zip(photos[picks], backdrop_mask(photos[picks]))):
            marked = photo.copy()
            marked[mask] = 0.3 * marked[mask] + 0.7 * np.array([1.0, 0.0, 0.0])
            show_image(axes[-1, column], marked, "backdrop mask" if column == 0 else None)
            axes[-1, column].axis("on")
    fig.tight_layout()
    return fig
