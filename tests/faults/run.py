"""`make faults N=200`: N seeded kill -9 trials spread over every scenario; prints trials / held / failed.

    python tests/faults/run.py [N] [--seed S] [--only snapshot,restore] [-v]
Exit 1 if any trial failed. Runs in a temporary HOME (like the test suite) and cleans up after itself."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import faultlib  # noqa: E402
import scenarios  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("n", nargs="?", type=int, default=200)
    p.add_argument("--seed", type=int, default=1102)
    p.add_argument("--only", default="")
    p.add_argument("-v", "--verbose", action="store_true")
    a = p.parse_args()
    kinds = [k for k in scenarios.ALL if not a.only or k.name in a.only.split(",")]
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="dws-faults-") as tmp:
        faultlib.hermetic_env(Path(tmp) / "home")

        def report(o: faultlib.Outcome) -> None:
            if a.verbose or not o.held:
                state = "held" if o.held else "FAILED"
                print(f"trial {o.seed:4} {o.scenario:<14} {'killed' if o.killed else 'completed':<10} {state}"
                      + (f": {o.problems}" if o.problems else ""), flush=True)

        outcomes = faultlib.run_trials([k() for k in kinds], Path(tmp), a.n, a.seed, report)
    print(faultlib.table(outcomes))
    print(f"seed {a.seed}, {time.monotonic() - t0:.0f} s")
    return 0 if all(o.held for o in outcomes) else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    sys.exit(main())
