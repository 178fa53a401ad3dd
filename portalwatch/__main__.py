"""`python -m portalwatch` runs the command line."""

import sys

from portalwatch.cli import main

sys.exit(main())
