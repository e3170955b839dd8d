"""One call that sets up a notebook or a command: profile, data, device.

    >>> run = sketchlab.session.start()        # doctest: +SKIP
    sketchlab 0.1.0 | profile quick (64x64, batch 4, 20 epochs) | data: TOY ... | device: CPU (2 cores)

The data is never chosen silently: the line names it, and says TOY loudly
when the synthetic faces stand in for the real database.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .config import Profile, device_name, get_profile
from .data import CufsData, DataError, default_data_dir, load_cufs
from .data import download as download_cufs

DATA_ENV = "SKETCHLAB_DATA"
RUNS_ENV = "SKETCHLAB_RUNS_DIR"


@dataclass(frozen=True)
class Session:
    """What a notebook or command runs with."""

    profile: Profile
    data: CufsData
    device: str

    def line(self, image_size: int | None = None, batch_size: int | None = None, epochs: int | None = None) -> str:
        """The one line printed at the top of every notebook and command;
        a command that trains with other sizes than the profile's passes
        them, so the line says what really runs."""
        p = self.profile
        size = image_size or p.image_size
        return (
            f"sketchlab {__version__} | profile {p.name} ({size}x{size}, "
            f"batch {batch_size or p.batch_size}, {epochs or p.epochs} epochs) | data: {self.data.describe()} | "
            f"device: {self.device}"
        )

    def print_header(self, **overrides: int | None) -> None:
        """Print :meth:`line` (with ``overrides``), and a loud note when the toy faces stand in for CUFS."""
        print(self.line(**overrides))
        if self.data.kind == "toy":
            print(
                "NOTE: the TOY faces stand in for CUFS (offline, synthetic); numbers measured on them "
                "say nothing about real faces. Real data: `python -m sketchlab data download --out data/cufs`."
            )


def resolve_data(data: str | os.PathLike | None = None, download: bool = False) -> CufsData:
    """The dataset to use.

    Args:
        data: ``"toy"`` (the synthetic faces, made on first use), a folder
            holding the CUFS mirror, or None: ``$SKETCHLAB_DATA`` if set, else
            the downloaded real data in ``data/cufs`` if present, else toy.
        download: with ``data=None``, download the real data to ``data/cufs``
            first if it is missing (as on Colab); if that fails, say why and
            use the toy faces.
    """
    if data is None:
        data = os.environ.get(DATA_ENV) or None
    if data is None:
        real = default_data_dir() / "cufs"
        if download and not real.exists():
            try:
                print(f"downloading CUFS to {real} ...")
                download_cufs(real)
            except DataError as err:
                print(f"!!! {err}\n!!! Using the TOY faces instead.")
        data = real if real.exists() else "toy"
    if str(data) == "toy":
        from .toy import make_toy_data

        folder = default_data_dir() / "toy"
        if not folder.exists():
            print(f"making the toy faces in {folder} (synthetic, offline) ...")
            make_toy_data(folder)
        return load_cufs(folder)
    return load_cufs(Path(data))


def runs_dir() -> Path:
    """Where training runs go: ``$SKETCHLAB_RUNS_DIR``, else ``runs/`` beside
    the data folder (the repository's ``runs/`` in a clone), so a model saved
    by one notebook is found by another."""
    if os.environ.get(RUNS_ENV):
        return Path(os.environ[RUNS_ENV])
    return default_data_dir().parent / "runs"


INLINE_DPI = 72  # a notebook's figures at screen resolution
JPEG_QUALITY = 85


def compact_figures() -> None:
    """In a Jupyter kernel, show figures inline as JPEG at screen resolution:
    the course's figures are mostly faces, which PNG stores at several times
    the size, and a notebook keeps every figure in its file. Elsewhere, nothing."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:  # a terminal or a script: no inline figures
        return
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats("jpeg", dpi=INLINE_DPI, pil_kwargs={"quality": JPEG_QUALITY})


def start(
    data: str | os.PathLike | None = None,
    profile: str | None = None,
    download: bool = False,
    verbose: bool = True,
) -> Session:
    """Resolve the profile and the data (see :func:`resolve_data`), print
    the setup line, and in a notebook make its figures compact (:func:`compact_figures`)."""
    compact_figures()
    session = Session(
        profile=get_profile(profile), data=resolve_data(data, download), device=device_name()
    )
    if verbose:
        session.print_header()
    return session


def show_source(obj) -> None:
    """Display the source code of a sketchlab function or class in a notebook,
    so a notebook teaches the code that really runs instead of a copy."""
    import inspect

    from IPython.display import Code, display

    display(Code(inspect.getsource(obj), language="python"))
