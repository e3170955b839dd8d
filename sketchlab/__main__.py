"""``python -m sketchlab``: see :mod:`sketchlab.cli`."""

import sys

from .cli import main

sys.exit(main())
