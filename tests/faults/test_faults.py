"""The seeded subset of the fault-injection suite that runs in `make test` (21 trials); `make faults
N=200` runs the full set (tests/faults/run.py). See faultlib for what each trial checks."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import scenarios
from faultlib import Scenario

SEED = 1102
TRIALS = {"snapshot": 4, "restore": 4, "push": 3, "pull": 3, "commit-hooks": 4, "gc": 3}


@pytest.mark.parametrize("kind", scenarios.ALL, ids=[k.name for k in scenarios.ALL])
def test_kill_9_at_seeded_moments(kind: type[Scenario], tmp_path: Path) -> None:
    sc = kind()
    sc.setup(tmp_path / sc.name)
    sc.calibrate()
    rng = random.Random(f"{SEED}-{sc.name}")
    outcomes = [sc.trial(i, random.Random(rng.random())) for i in range(TRIALS[sc.name])]
    failed = [f"trial {o.seed} ({'killed' if o.killed else 'completed'}): {o.problems}" for o in outcomes if not o.held]
    assert not failed, "\n".join(failed)
