"""`python -m git_dws.hooks HOOK [--hook-dir=DIR] [--] ARGS`: what the installed shim runs."""

import sys

from .entry import main

sys.exit(main(sys.argv[1:]))
