"""`python -m autosync_desktop` is the `autosync` command."""

import sys

from autosync_desktop.cli import main

sys.exit(main())
