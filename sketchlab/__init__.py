"""sketchlab: face photos to pencil sketches (and back) with Keras 3.

The helper package of the sketchlab course. Notebooks teach; this package
holds what more than one notebook, the command line, the tests or the
benchmarks need, one concept per module:

- ``config``: the profile (quick or full)
- ``data``: the CUFS database (finding, pairing, splitting, checking, download)
- ``toy``: the synthetic toy faces, the offline default data
- ``tfds_cufs``: CUFS as a TensorFlow Datasets builder
- ``pipeline``: ``tf.data`` pipelines with paired jitter
- ``plots``: figures
- ``session``: one call that sets up a notebook or a command
"""

import os

# Quiet TensorFlow's C++ log (on a CPU-only machine it reports failing to
# find CUDA); failures that matter still reach Python as exceptions.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# oneDNN's custom CPU ops announce themselves on stderr at every start and
# were no faster for the course's models on a 2-core CPU (a 300-step U-Net
# run: 9.8 s without, 11.4 s with); set TF_ENABLE_ONEDNN_OPTS=1 to use them.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

__version__ = "0.1.0"

# The one place the repository's address is written; the notebooks' Colab
# cells and the README's badges must use it (tests/test_notebooks.py checks).
REPOSITORY_URL = "https://github.com/sketchlab-course/sketchlab"
