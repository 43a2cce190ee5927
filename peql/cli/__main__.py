"""``python -m peql.cli`` runs the ``peql`` command line."""

import sys

from . import main

sys.exit(main())
