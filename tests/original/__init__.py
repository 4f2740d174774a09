"""The compatibility suite: the original Data Workspaces' observable behaviour, row by row of
/work/shared/ORIGINAL.md, through `git dws` (see docs/COMPAT.md)."""
