"""TensorFlow's log, set before TensorFlow is imported: its start-up lines
dropped, its warnings kept where a GPU is meant to be used.

TensorFlow writes some lines as it loads, before its own log level applies
(absl's note that logging is not set up, oneDNN's notice), once per library
that carries a copy of them; every command began with them, twice.
``TF_CPP_MIN_LOG_LEVEL=0`` shows everything again.
"""

import contextlib
import os
import platform
import sys


def _cuda_driver_installed() -> bool:
    """Whether NVIDIA's driver library loads (TensorFlow loads it too): whether a GPU is meant to be used."""
    import ctypes

    try:
        ctypes.CDLL("nvcuda.dll" if sys.platform == "win32" else "libcuda.so.1")
    except OSError:
        return False
    return True


def _default_log_level() -> str:
    """TensorFlow's C++ log level: with NVIDIA's driver, WARNINGs and ERRORs, which say why a GPU goes
    unused ("Cannot dlopen some GPU libraries"); without it, FATAL only, as its ERRORs there are its own
    misses (no GPU found, a graph optimisation given up) and a failing operation raises in Python."""
    return "1" if _cuda_driver_installed() else "3"


# What TensorFlow writes as it loads, before its log level applies: INFO lines
# (oneDNN's notice) and absl's note that logging is not set up, once per
# library that carries a copy of them.
_STARTUP_NOISE = r"WARNING: All log messages before absl::InitializeLog\(\) is called|I\d{4} \S+ +\d+ \S+:\d+\] "
_FILTER = """
import re, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the import, not the filter: it forwards to the end
noise = re.compile(sys.argv[1].encode())
for line in sys.stdin.buffer:
    if not noise.match(line):
        sys.stderr.buffer.write(line)
        sys.stderr.buffer.flush()
"""


@contextlib.contextmanager
def _stderr_filtered(noise: str):
    """File descriptor 2 through a process that drops the lines matching
    ``noise``: a process, not a thread, so that what a crashing import
    writes last (TensorFlow aborts on a CPU without AVX) still gets out."""
    import subprocess

    sys.stderr.flush()
    try:
        saved = os.dup(2)
        filter_ = subprocess.Popen([sys.executable, "-I", "-S", "-c", _FILTER, noise],
                                   stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    except OSError:  # no stderr, or no interpreter to run the filter: nothing is filtered
        yield
        return
    os.dup2(filter_.stdin.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        filter_.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):  # a process started meanwhile may hold the pipe
            filter_.wait(timeout=10)


class _QuietTensorFlowImport:
    """The first ``import tensorflow``, wherever it happens, with TensorFlow's
    start-up lines dropped from stderr; everything else it writes goes through."""

    def find_spec(self, name, path=None, target=None):
        if name != "tensorflow":
            return None
        from importlib.machinery import PathFinder

        spec = PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            self.loader, spec.loader = spec.loader, self
        return spec

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        sys.meta_path.remove(self)
        module.__spec__.loader = module.__loader__ = self.loader
        with _stderr_filtered(_STARTUP_NOISE):
            self.loader.exec_module(module)


def configure() -> None:
    """Set TensorFlow's log level and oneDNN, and filter the first
    ``import tensorflow``'s start-up lines; a no-op once TensorFlow is loaded."""
    if "tensorflow" in sys.modules:
        return
    if "TF_CPP_MIN_LOG_LEVEL" not in os.environ:
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = _default_log_level()
    # oneDNN's CPU kernels on every x86 CPU: TensorFlow turns them on by itself only
    # on CPUs with VNNI or AMX, yet they are faster on the others too
    # (benchmarks/cpu_kernels.py). TF_ENABLE_ONEDNN_OPTS=0 turns them off.
    if platform.machine().lower() in ("x86_64", "amd64"):
        os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
    # TF_CPP_MIN_LOG_LEVEL=0 asks for every line, these too
    hooked = any(isinstance(finder, _QuietTensorFlowImport) for finder in sys.meta_path)
    if os.environ["TF_CPP_MIN_LOG_LEVEL"] != "0" and sys.executable and sys.stderr and not hooked:
        sys.meta_path.insert(0, _QuietTensorFlowImport())

