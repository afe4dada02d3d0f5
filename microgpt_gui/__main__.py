"""`python -m microgpt_gui` starts the app."""

import sys

from .app import main

sys.exit(main())
