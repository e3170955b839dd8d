"""The sketch app: a web page where anybody turns a photo into a sketch.

    python -m sketchlab app [--model PATH] [--port N] [--share]

A photo is uploaded (or taken with the webcam), its face is found and
aligned to the CUFS frame (:mod:`sketchlab.faces`), and the chosen model
draws it; the page shows the aligned face beside the sketch and offers the
sketch as a PNG. The models to choose from are the shipped one
(:mod:`sketchlab.pretrained`), the runs found under ``runs/`` and the one
given with ``--model``. A photo without a face, a file that is not an image
or one too large gets its message in the page, and the app goes on serving.
Everything it writes (uploads, sketches) stays in one temporary folder,
removed when it stops.

The page is made with Gradio (https://gradio.app), the usual tool for a
model demo, which Colab shows inline.
"""

from __future__ import annotations

import os
import signal
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

SHIPPED = "shipped model (pix2pix 256, CUFS)"
MAX_UPLOAD = "20mb"  # a phone photo is a few MB; larger uploads are refused in the page


def find_models(runs: str | Path = "runs", extra: str | Path | None = None) -> dict[str, Path | None]:
    """The models to choose from: label -> a generator file (None: the
    shipped model, listed first when the package holds it), then each run
    folder under ``runs`` with a photo -> sketch ``generator.keras``, then
    ``extra`` (a generator's ``.keras`` file)."""
    from . import pretrained

    models: dict[str, Path | None] = {SHIPPED: None} if pretrained.available() else {}
    runs = Path(runs)
    if runs.is_dir():
        for path in sorted(runs.glob("*/generator.keras")):
            if path.parent.name != "dcgan":  # the DCGAN draws from noise, not from photos
                models[f"run: {path.parent.name}"] = path
    if extra is not None:
        models[f"given: {extra}"] = Path(extra)
    return models


def sketcher(models: dict[str, Path | None], folder: Path) -> Callable:
    """The page's one action: ``(photo file, webcam picture, model label) ->
    (aligned face, sketch, the sketch's PNG file)``. Models are loaded on
    first use and kept; each PNG is written into ``folder``. Bad input
    raises ``gradio.Error``, which the page shows as its message (and the
    console does not show as a traceback: it is the user's, not a bug)."""
    import gradio as gr

    from . import pretrained
    from .errors import SketchlabError
    from .faces import align_face, load_image, save_png, translate
    from .models import load_generator

    loaded: dict[str, object] = {}

    def model_of(label: str):
        if label not in models:
            raise gr.Error(f"unknown model {label!r}; choose one of: {', '.join(models)}", print_exception=False)
        if label not in loaded:
            path = models[label]
            loaded[label] = pretrained.load() if path is None else load_generator(path)
        return loaded[label]

    def sketch(upload: str | None, webcam: np.ndarray | None, label: str):
        try:
            if upload:
                image, name = load_image(upload), Path(upload).name
            elif webcam is not None:
                image, name = np.asarray(webcam, dtype=np.uint8)[..., :3], "webcam"
            else:
                raise gr.Error("No photo yet: upload one, or take one with the webcam.", print_exception=False)
            face = align_face(image, name=name)
            drawn = translate(model_of(label), face.image)
        except SketchlabError as err:
            raise gr.Error(str(err), print_exception=False) from None
        target = Path(tempfile.mkdtemp(dir=folder)) / f"{Path(name).stem}_sketch.png"
        save_png(drawn, target)
        return face.image, drawn, str(target)

    return sketch


def build(models: dict[str, Path | None], folder: Path):
    """The page (a ``gradio.Blocks``): the photo, the model, the aligned face,
    the sketch and its download; its action is also the API ``/sketch``."""
    import gradio as gr

    if not models:
        from .errors import ModelFileError

        raise ModelFileError("no model to serve: this copy of sketchlab has no shipped model and runs/ holds no "
                             "run. Train one (`python -m sketchlab train pix2pix --out runs/pix2pix`) or pass --model.")
    with gr.Blocks(title="sketchlab: your photo as a pencil sketch", analytics_enabled=False) as page:
        gr.Markdown("# Your photo as a pencil sketch\nA frontal photo, the face well lit and not too small. "
                    "The face is found and aligned as in the CUFS photos, then drawn.")
        with gr.Row():
            with gr.Column():
                upload = gr.File(label="upload a photo (JPEG or PNG)", file_types=["image"], type="filepath")
                webcam = gr.Image(label="or take one", sources=["webcam"], type="numpy")
                choice = gr.Dropdown(list(models), value=next(iter(models)), label="model")
                button = gr.Button("Sketch", variant="primary")
            aligned = gr.Image(label="the face, aligned", type="numpy", interactive=False, format="png")
            drawn = gr.Image(label="the sketch", type="numpy", interactive=False, format="png")
        download = gr.File(label="the sketch as PNG", interactive=False)
        button.click(sketcher(models, folder), inputs=[upload, webcam, choice], outputs=[aligned, drawn, download],
                     api_name="sketch")
    return page


def launch(model: Path | None = None, port: int | None = None, share: bool = False,
           runs: str | Path = "runs", host: str = "127.0.0.1", folder: str | Path | None = None):
    """Start the page and return it, serving in the background (a notebook
    shows it inline); ``page.close()`` stops it. ``model``: a generator's
    ``.keras`` file to offer too. Uploads and sketches go into ``folder``
    (default: a new temporary folder)."""
    folder = Path(folder or tempfile.mkdtemp(prefix="sketchlab-app-"))
    os.environ["GRADIO_TEMP_DIR"] = str(folder)  # Gradio's uploads and outputs too
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    page = build(find_models(runs, model), folder)
    page.launch(server_name=host, server_port=port, share=share, prevent_thread_lock=True, quiet=True,
                max_file_size=MAX_UPLOAD, show_error=True)
    return page


def serve(model: Path | None = None, port: int | None = None, share: bool = False,
          runs: str | Path = "runs", host: str = "127.0.0.1") -> None:
    """Serve the page until Ctrl-C, printing its address (arguments as in
    :func:`launch`); everything written while it runs stays in one
    temporary folder, removed at the end."""
    # Ctrl-C stops it even when started by a program that had SIGINT ignored at that moment
    # (C's system() ignores it while it runs, and a process started meanwhile inherits that)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    with tempfile.TemporaryDirectory(prefix="sketchlab-app-") as scratch:
        page = launch(model, port, share, runs, host, folder=scratch)
        print(f"sketch app at {page.local_url}" + (f" and {page.share_url}" if page.share_url else "")
              + " (Ctrl-C stops it)", flush=True)
        try:
            while True:
                time.sleep(0.5)
        except KeyboardInterrupt:
            print("stopping the sketch app")
        finally:
            page.close()
