"""`import git_dws` (and the kits package itself, and the lineage API) must not import the kits'
libraries: they are optional extras, and heavy (JAX alone takes seconds). Checked in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("sklearn", "joblib", "numpy", "IPython", "ipykernel", "keras", "jax", "nbclient", "pandas")


def test_import_git_dws_imports_no_kit_library() -> None:
    script = ("import sys, json, git_dws, git_dws.kits, git_dws.kits.common, git_dws.kits.html, git_dws.api, "
              "git_dws.lineage, git_dws.cli;"
              "git_dws.lineage.LineageBuilder;"
              "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    loaded = set(json.loads(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                           check=True).stdout))
    assert not loaded & set(HEAVY), f"imported at `import git_dws`: {sorted(loaded & set(HEAVY))}"
