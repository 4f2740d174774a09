"""Kits: adapters that let a training script or a notebook record its own lineage and results.

`git_dws.kits.scikit_learn`, `git_dws.kits.jupyter` and `git_dws.kits.keras` each need their library,
installed with the extras `git-dws[sklearn]`, `[jupyter]` and `[keras]`. This package imports none of
them: only importing a kit module does, so `import git_dws` stays cheap (tests/kits/test_lazy.py checks).
"""
