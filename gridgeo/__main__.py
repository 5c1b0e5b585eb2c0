"""``python -m gridgeo`` runs the command-line interface."""

import sys

from gridgeo.cli import main

sys.exit(main())
