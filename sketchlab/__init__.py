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
- ``models``: the networks (encoder-decoder, U-Net, PatchGAN, DCGAN pair, ResNet generator)
- ``gans``: the adversarial models (GAN, Pix2Pix, CycleGAN) with their ``train_step``
- ``optimizers``: ``FusedAdam``, Keras' Adam in one kernel per variable, which every model trains with
- ``training``: training runs with ``fit`` (every method), resumable
- ``checkpoints``: the checkpoint written after every epoch
- ``callbacks``: sample grids saved during training
- ``metrics``: FSIM, SSIM, PSNR, L1, rank-1
- ``evaluation``: the test protocol and the grey-photo baseline
- ``comparison``: every method on the same faces, and the lessons (overfitting, lighting, data size)
- ``faces``: new photos into the CUFS frame (MTCNN, alignment) and sketched
- ``session``: one call that sets up a notebook or a command
- ``report``: the demo's HTML report
- ``cli``: ``python -m sketchlab``
"""

import os
import platform

# Quiet TensorFlow's C++ log (on a CPU-only machine it reports failing to
# find CUDA); failures that matter still reach Python as exceptions.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# oneDNN's CPU kernels on every x86 CPU. TensorFlow turns them on by itself
# only where the CPU has AVX512-VNNI, AVX-VNNI or AMX (recent Intel Xeons,
# AMD EPYC Zen 4); on others, such as AMD EPYC Zen 3, it falls back to
# slower kernels: there an epoch of the quick U-Net takes 2.80 s with oneDNN
# and 4.91 s without (benchmarks/cpu_kernels.py, 2 cores). Set before
# TensorFlow is imported, so import sketchlab first; TF_ENABLE_ONEDNN_OPTS=0
# turns them off.
if platform.machine().lower() in ("x86_64", "amd64"):
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

__version__ = "0.1.0"

# The one place the repository's address is written; the notebooks' Colab
# cells and the README's badges must use it (tests/test_notebooks.py checks).
REPOSITORY_URL = "https://github.com/sketchlab-course/sketchlab"
