"""``python -m peql`` runs the ``peql`` command line (useful where the console script is not installed)."""

import sys

from peql.cli import main

sys.exit(main())
