"""git-dws: Data Workspaces as a git extension."""

__version__ = "0.1.0"
