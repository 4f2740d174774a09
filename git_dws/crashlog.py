"""Where an internal error is written down: $GIT_COMMON_DIR/dws/crash.log in a repository, else
~/.git-dws-crash.log. Stdlib only (the hook entry uses it too)."""

from __future__ import annotations

import os


def write(text: str, common_dir: str | None) -> str:
    """Append `text`; return the log's path, or "(unwritable)"."""
    path = (os.path.join(common_dir, "dws", "crash.log") if common_dir
            else os.path.join(os.path.expanduser("~"), ".git-dws-crash.log"))
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "a") as f:
            f.write(text)
    except OSError:
        return "(unwritable)"
    return path
