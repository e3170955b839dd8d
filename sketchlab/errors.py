"""The one base class of the errors a user can fix.

Each carries a message that names the file, folder or setting at fault and
says what to do; ``python -m sketchlab`` prints it after ``error:`` and
exits with status 2. The modules define their own kinds (``DataError`` in
:mod:`sketchlab.data`, ``ProfileError`` in :mod:`sketchlab.config`, ...);
this module holds the base, and :class:`ModelFileError`, which the command
line raises before it imports Keras.
"""


class SketchlabError(Exception):
    """Bad input or a bad setting; the message says which and what to do."""


class ModelFileError(SketchlabError):
    """A model file that is missing or cannot be loaded; the message says which and why."""
