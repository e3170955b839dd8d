"""Re-execute the course notebooks top to bottom and scrub their metadata.

    python notebooks/refresh.py                  # every notebook
    python notebooks/refresh.py 02_preprocessing.ipynb
    python notebooks/refresh.py --runs DIR 06_evaluation.ipynb

Runs in a fresh runs folder, so the committed outputs show the training
itself. ``--runs DIR`` uses DIR instead: notebook 06 refreshed alone loads
the models of notebooks 03 to 05 from there (trained by those notebooks or
by ``python -m sketchlab train NAME --data toy --out DIR/NAME``).

Runs in the quick profile on the toy data (the committed outputs are what
nbval compares against in CI), in a fresh kernel per notebook, from the
notebooks folder. Then removes what is personal or Colab-specific: Colab
metadata, widget state, execution timestamps, the Python patch version.
A notebook is rewritten only if it ran to the end.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
KEEP_NOTEBOOK_METADATA = ("kernelspec", "language_info")
DROP_CELL_METADATA = ("colab", "id", "outputId", "executionInfo", "execution", "collapsed", "scrolled")
# TensorFlow's C++ start-up lines, which reach stderr before any Python
# setting can silence them.
TF_STARTUP_LINE = re.compile(r"^(WARNING: All log messages before absl::InitializeLog|[IWE]\d{4} )")


def scrub(nb: nbformat.NotebookNode, runs: Path | None = None) -> nbformat.NotebookNode:
    """Keep only the metadata a reader needs; a path in the scratch ``runs``
    folder is printed as on a clone, ``../runs/...``."""
    nb.metadata = {k: v for k, v in nb.metadata.items() if k in KEEP_NOTEBOOK_METADATA}
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    for cell in nb.cells:
        for key in DROP_CELL_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs = _coalesce([o for o in cell.outputs if not _only_tf_startup(o)])
            for output in cell.outputs:
                if runs is not None and output.get("output_type") == "stream":
                    output["text"] = output["text"].replace(str(runs), "../runs")
    return nb


def _coalesce(outputs: list) -> list:
    """Consecutive stream outputs of one stream as one output: a cell's
    printed text stays one block, however the kernel's writes were split."""
    merged = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (previous is not None and output.get("output_type") == "stream"
                and previous.get("output_type") == "stream" and previous.get("name") == output.get("name")):
            previous["text"] = previous["text"] + output["text"]
        else:
            merged.append(output)
    return merged


def _only_tf_startup(output) -> bool:
    if output.get("output_type") != "stream" or output.get("name") != "stderr":
        return False
    lines = [line for line in output.get("text", "").splitlines() if line.strip()]
    return bool(lines) and all(TF_STARTUP_LINE.match(line) for line in lines)


def refresh(path: Path, runs: Path | None = None) -> float:
    """Execute ``path`` in place (``runs``: the scratch runs folder); returns the seconds it took."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}).execute()
    seconds = time.perf_counter() - start
    nbformat.validate(nb)
    nbformat.write(scrub(nb, runs), path)
    return seconds


def main(names: list[str], runs: str | None = None) -> None:
    os.environ["SKETCHLAB_PROFILE"] = "quick"
    os.environ["SKETCHLAB_DATA"] = "toy"
    paths = [HERE / n for n in names] if names else sorted(HERE.glob("[0-9][0-9]_*.ipynb"))
    # a fresh runs folder: training resumes from a run folder's checkpoint,
    # and the committed outputs must show the training itself
    with tempfile.TemporaryDirectory(prefix="sketchlab-") as scratch:
        folder = Path(runs).resolve() if runs else Path(scratch) / "runs"
        if folder.name != "runs":
            raise SystemExit(f"--runs {runs}: name the folder runs/ (the notebooks print paths from it)")
        os.environ["SKETCHLAB_RUNS_DIR"] = str(folder)  # shown as runs/, as on a clone
        for path in paths:
            print(f"{path.name}: ran in {refresh(path, folder):.0f} s")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", help="notebook file names (default: all)")
    parser.add_argument("--runs", default=None, help="a runs/ folder to use instead of a fresh one")
    args = parser.parse_args()
    main(args.notebooks, args.runs)
