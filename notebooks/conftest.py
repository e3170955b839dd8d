"""nbval settings for the course notebooks: stderr (TensorFlow's and
Keras' warnings) is never compared, and the notebooks run on the toy data in
the quick profile, as their committed outputs did."""

import os

os.environ["SKETCHLAB_PROFILE"] = "quick"
os.environ["SKETCHLAB_DATA"] = "toy"


def pytest_collectstart(collector):
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("stderr",)
