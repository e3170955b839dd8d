"""The course as a whole: README, CI script and notebooks agree."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import sketchlab

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
COLAB_URL = sketchlab.REPOSITORY_URL.replace("https://github.com/", "https://colab.research.google.com/github/")


def _quick_start() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"## Quick start.*?```bash\n(.*?)```", text, re.S).group(1)
    return [line.strip() for line in block.strip().splitlines()]


def test_readme_quick_start_is_two_commands():
    assert _quick_start() == ["pip install -r requirements.txt && python -m sketchlab demo", "pytest"]


def test_ci_runs_exactly_the_readme_commands():
    script = (ROOT / ".ci" / "run").read_text().splitlines()
    commands = [line.strip() for line in script if line.strip() and not line.lstrip().startswith("#")]
    install, test = _quick_start()
    assert commands[-2:] == [install, test]


def test_requirements_install_the_design_card_and_sketchlab():
    lines = [l.split(">=")[0].strip() for l in (ROOT / "requirements.txt").read_text().splitlines() if l and not l.startswith("#")]
    for package in ("keras", "tensorflow[and-cuda]", "tensorflow-datasets", "matplotlib", "numpy",
                    "kaggle", "kagglehub", "jupyter", "nbval", "pytest", "-e ."):
        assert package in lines


def test_package_dependencies_leave_colab_tensorflow_alone():
    text = (ROOT / "pyproject.toml").read_text()
    dependencies = re.search(r"^dependencies = \[(.*?)\]", text, re.S | re.M).group(1)
    assert "tensorflow\"" not in dependencies and "tensorflow[" not in dependencies


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_clean_with_outputs(path):
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(c["execution_count"] for c in code), "run notebooks/refresh.py"
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1)), "run top to bottom"
    assert set(nb["metadata"]) <= {"kernelspec", "language_info"}
    assert not any("colab" in c["metadata"] or "execution" in c["metadata"] for c in nb["cells"])
    assert not any(o.get("output_type") == "error" for c in code for o in c["outputs"])
    assert any("# NBVAL_CHECK_OUTPUT" in "".join(c["source"]) for c in code)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_links_and_installs_from_the_one_repository_url(path):
    nb = json.loads(path.read_text())
    first_md = "".join(nb["cells"][0]["source"])
    assert f"{COLAB_URL}/blob/main/notebooks/{path.name}" in first_md
    setup = next("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert f'REPOSITORY_URL = "{sketchlab.REPOSITORY_URL}"' in setup
    assert "session.start(" in setup
    readme = (ROOT / "README.md").read_text()
    assert f"{COLAB_URL}/blob/main/notebooks/{path.name}" in readme


def test_setup_cell_never_installs_tensorflow_on_colab():
    for path in NOTEBOOKS:
        setup = next("".join(c["source"]) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code")
        install = [line for line in setup.splitlines() if "pip install" in line]
        assert install and not any("tensorflow" in line or "requirements" in line for line in install)
