"""nbval settings for the course notebooks: stderr (TensorFlow's and
Keras' warnings) is never compared, and the notebooks run on the toy data in
the quick profile, as their committed outputs did, with a fresh runs folder
(a run folder left by an earlier session would be resumed, not trained)."""

import atexit
import os
import shutil
import tempfile

os.environ["SKETCHLAB_PROFILE"] = "quick"
os.environ["SKETCHLAB_DATA"] = "toy"
_SCRATCH = tempfile.mkdtemp(prefix="sketchlab-")
os.environ["SKETCHLAB_RUNS_DIR"] = os.path.join(_SCRATCH, "runs")  # shown as runs/, as on a clone
atexit.register(shutil.rmtree, _SCRATCH, ignore_errors=True)


def pytest_collectstart(collector):
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("stderr",)


# notebooks that use the models an earlier one trained (06 loads those of 03
# to 05), so they run in order on one worker, in one runs folder
TRAINING_NOTEBOOKS = ("03_", "04_", "05_", "06_")


def pytest_xdist_make_scheduler(config, log):
    """With pytest-xdist (the README's test command runs on two workers):
    notebooks 03 to 06 go to one worker, in order, in one runs folder, so
    that notebook 06 loads the models notebooks 03 to 05 trained; every other
    notebook and each test file goes whole to whichever worker is free, so
    its module-scoped fixtures are built once."""
    from xdist.scheduler import LoadScopeScheduling

    class TrainingNotebooksTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            together = path.endswith(".ipynb") and os.path.basename(path).startswith(TRAINING_NOTEBOOKS)
            return "training notebooks" if together else path

    return TrainingNotebooksTogether(config, log)
