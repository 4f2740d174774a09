"""The git-dws benchmark harness: `bench/run.py` is the entry point (`make bench`)."""
