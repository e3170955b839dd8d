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


def test_relative_links_of_the_readme_and_docs_lead_to_files():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for page in pages:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text()):
            if not target.startswith(("http://", "https://")):
                assert (page.parent / target).exists(), f"{page.name}: broken link {target}"


def test_one_python_floor_and_one_keras_floor_everywhere():
    pyproject = (ROOT / "pyproject.toml").read_text()
    python = re.search(r'requires-python = ">=(3\.\d+)"', pyproject).group(1)
    assert f"Python {python} or newer" in (ROOT / "README.md").read_text()
    keras = re.search(r'"keras>=([\d.]+)"', pyproject).group(1)
    assert tuple(map(int, keras.split("."))) >= (3, 13, 2)  # below it, crafted .keras files run code
    assert f"keras>={keras}" in (ROOT / "requirements.txt").read_text().splitlines()
    for path in NOTEBOOKS:
        setup = next("".join(c["source"]) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code")
        assert f'"keras>={keras}"' in setup, f"{path.name}: the Colab cell must upgrade an older Keras"


def test_what_nbconvert_writes_beside_a_notebook_is_ignored(tmp_path):
    import shutil
    import subprocess

    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    names = ["notebooks/01_data_loading.nbconvert.ipynb", "notebooks/01_data_loading.html",
             "notebooks/01_data_loading_files/figure.png"]
    result = subprocess.run(["git", "check-ignore", "--no-index", *names], cwd=ROOT, capture_output=True, text=True)
    assert result.stdout.split() == names


def test_the_readme_next_step_uses_the_models_the_demo_keeps():
    from sketchlab import cli
    from sketchlab.report import sketch_command

    default_out = cli.build_parser().parse_args(["demo"]).out
    command = sketch_command(default_out).split(" my_photo.jpg")[0]  # python -m sketchlab sketch reports/demo/runs/...
    assert command in (ROOT / "README.md").read_text()


def test_every_row_of_the_bad_inputs_page_names_tests_that_exist():
    page = (ROOT / "docs" / "bad_inputs.md").read_text()
    rows = [line for line in page.splitlines() if line.startswith("|")]
    body = [row for row in rows if not re.fullmatch(r"\|(\s*-+\s*\|)+", row) and "| what is refused |" not in row]
    assert len(body) >= 60, "the table rows of docs/bad_inputs.md are missing"
    sources: dict[str, str] = {}
    for row in body:
        cells = [cell.strip() for cell in row.strip().strip("|").split("|")]
        assert len(cells) == 4, f"not 4 columns: {row}"
        assert cells[2] in ("2", "exception", "page"), f"status must be 2, exception or page: {row}"
        tests = re.findall(r"tests/(\w+\.py)::(\w+)", cells[3])
        assert tests, f"a row without a test: {row}"
        for file, name in tests:
            path = ROOT / "tests" / file
            assert path.is_file(), f"{file} does not exist: {row}"
            text = sources.setdefault(file, path.read_text())
            assert f"def {name}(" in text, f"tests/{file}::{name} does not exist: {row}"


def test_committed_notebooks_stay_light():
    """Figures at screen resolution (session.compact_figures): the notebooks
    together at most 4 MB, no figure over about 150 KB."""
    import base64

    assert sum(path.stat().st_size for path in NOTEBOOKS) <= 4 * 2**20
    for path in NOTEBOOKS:
        for cell in json.loads(path.read_text())["cells"]:
            for output in cell.get("outputs", []):
                for kind, data in output.get("data", {}).items():
                    if kind.startswith("image/"):
                        assert len(base64.b64decode(data)) <= 160_000, f"{path.name}: a {kind} figure of more"


def _load_script(path: Path):
    """A script of docs/ or benchmarks/ as a module (they are not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_results_tables_are_rendered_from_the_results_file():
    """A number of the README's Results is typed once, in docs/results.json:
    edit one without the other and this fails (`python docs/make_results.py`)."""
    make_results = _load_script(ROOT / "docs" / "make_results.py")
    readme = (ROOT / "README.md").read_text()
    assert [m[2] for m in make_results.BLOCK.finditer(readme)] == list(make_results.TABLES)
    assert make_results.render(readme, make_results.load()) == readme, "run python docs/make_results.py"


def test_results_file_rows_say_how_they_were_measured():
    make_results = _load_script(ROOT / "docs" / "make_results.py")
    rows = make_results.load()["rows"]
    assert len({row["key"] for row in rows}) == len(rows), "one row per key"
    for row in rows:
        assert row["table"] in make_results.TABLES and row["label"] and row["scores"], row["key"]
        assert set(row["scores"]) <= {"fsim", "ssim", "psnr", "l1", "rank1", "sharpness", "paper_noise"}, row["key"]
        if row["status"] == "measured":
            assert row["machine"] and row["date"] and row["command"].startswith("python "), row["key"]
        else:
            assert row["status"] == "published" and not row["command"], row["key"]
    assert sum(row["status"] == "published" for row in rows) == 1


def test_quality_record_replaces_only_the_measured_rows(tmp_path):
    """benchmarks/quality.py --record, on a tiny fake result instead of a 15-45 minute run."""
    import argparse
    import shutil

    make_results = _load_script(ROOT / "docs" / "make_results.py")
    quality = _load_script(ROOT / "benchmarks" / "quality.py")
    path = tmp_path / "results.json"
    shutil.copy(make_results.RESULTS, path)
    before = make_results.load(path)["rows"]
    args = argparse.Namespace(model="cyclegan", image_size=64, epochs=2, profile="quick", seed=3)
    fake = {"fsim": 0.61234, "ssim": 0.5, "psnr": 12.0, "l1": 0.1, "rank1": 0.25, "sharpness": 0.4}
    quality.record({"cyclegan": fake, "cyclegan-s2i": {"fsim": 0.7, "ssim": 0.6, "psnr": 15.0, "l1": 0.12}},
                   args, batch=1, seconds=12.6, path=path)

    after = {row["key"]: row for row in make_results.load(path)["rows"]}
    assert [row["key"] for row in before] == list(after), "rows kept, in their order"
    for old in before:
        new = after[old["key"]]
        if old["key"] in ("cyclegan", "cyclegan-s2i"):
            assert (new["label"], new["table"]) == (old["label"], old["table"])
            assert (new["epochs"], new["batch"], new["train_seconds"], new["image_size"]) == (2, 1, 13, 64)
            assert "--model cyclegan --image-size 64 --epochs 2" in new["command"] and new["machine"]
        else:
            assert new == old
    assert after["cyclegan"]["scores"]["fsim"] == 0.6123
    assert not list(tmp_path.glob("*partial*")), "the write leaves no temporary behind"
    readme = (ROOT / "README.md").read_text()
    assert "| 0.612 | 0.500 | 12.00 | 0.100 | 0.25 | 0.40 | 13 s |" in make_results.render(readme, make_results.load(path))
