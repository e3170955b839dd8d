"""sketchlab: face photos to pencil sketches (and back) with Keras 3.

The helper package of the sketchlab course. Notebooks teach; this package
holds what more than one notebook, the command line, the tests or the
benchmarks need, one concept per module:

- ``config``: the profile (quick or full)
- ``errors``: the base class of the errors a user can fix (``python -m sketchlab`` exits with status 2)
- ``files``: writing files and folders safely (beside, then renamed into place)
- ``tf_logging``: TensorFlow's log level and its start-up lines, set before TensorFlow loads
- ``data``: the CUFS database (finding, pairing, splitting, checking, download)
- ``toy``: the synthetic toy faces, the offline default data
- ``tfds_cufs``: CUFS as a TensorFlow Datasets builder
- ``pipeline``: ``tf.data`` pipelines with paired jitter
- ``plots``: figures
- ``models``: the networks (encoder-decoder, U-Net, PatchGAN, DCGAN pair, ResNet generator)
- ``gans``: the adversarial models (GAN, Pix2Pix, CycleGAN) with their ``train_step``
- ``optimizers``: ``FusedAdam``, Keras' Adam in one kernel per variable, which every model trains with
- ``methods``: the registry of the methods (name, label, notebook, batch and epoch rules, trainer)
- ``training``: training runs with ``fit`` (every method), resumable
- ``history``: a run's ``history.csv``, read, written and trimmed
- ``checkpoints``: the checkpoint written after every epoch
- ``callbacks``: sample grids saved during training
- ``metrics``: FSIM, SSIM, PSNR, L1, rank-1
- ``shifts``: the shifts a user's own photo has (backdrop, light, camera, framing), for the robustness suite
- ``evaluation``: the test protocol, the grey-photo baseline, the robustness suite, and the tables of scores
- ``comparison``: every method on the same faces, and the lessons (overfitting, lighting, data size)
- ``faces``: new photos into the CUFS frame (MTCNN, alignment) and sketched
- ``session``: one call that sets up a notebook or a command
- ``report``: the demo's HTML report
- ``cli``: ``python -m sketchlab``
"""

from . import tf_logging

# before anything imports TensorFlow: import sketchlab first
tf_logging.configure()

__version__ = "0.1.0"

# The one place the repository's address is written; the notebooks' Colab
# cells and the README's badges must use it (tests/test_repository.py checks).
REPOSITORY_URL = "https://github.com/sketchlab-course/sketchlab"
