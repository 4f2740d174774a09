"""Pure values: names, manifest entries, snapshots, diffs. No git, no rich, no I/O."""
