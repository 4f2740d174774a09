#!/usr/bin/env python3
"""git-dws benchmarks (`make bench`): git-dws side by side with DVC, git-annex and dataworkspaces 1.6 on the
standard workloads, plus the commit-hook and push/clone cases. See bench/README.md."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dwsbench.main import main

if __name__ == "__main__":
    sys.exit(main())
