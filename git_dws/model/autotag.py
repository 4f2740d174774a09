"""`snapshot.auto_tag`: the name template of the tag the commit hook puts on each snapshot it records.

Variables (in braces): {SNAPSHOT_NO} (3 digits or more), {HOSTNAME}, {USERNAME}, {BRANCH} (the current
branch, `detached` when there is none), {COMMIT} (7 hex digits of the commit), {YEAR}, {MONTH}, {DAY},
{HOUR}, {MIN}, {SEC} (local time). Characters a tag may not hold (anything but letters, digits, '-' and
'.') become '-', so `{BRANCH}` works for `feature/x`. Example: `{BRANCH}-{SNAPSHOT_NO}` -> `main-007`.
Standard library only: the commit hook imports this.
"""

from __future__ import annotations

import re
import string
import time

from ..errors import UsageError

VARIABLES = ("SNAPSHOT_NO", "HOSTNAME", "USERNAME", "BRANCH", "COMMIT", "YEAR", "MONTH", "DAY", "HOUR", "MIN",
             "SEC")
_BAD = re.compile(r"[^A-Za-z0-9.-]+")
_LABEL = r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)"
_TAG_RE = re.compile(rf"^{_LABEL}(\.{_LABEL})*$")  # as model.names.check_tag
_HASHLIKE_RE = re.compile(r"^([0-9a-f]{40}|[0-9a-f]{6,})$")


def check(template: str) -> str:
    """Refuse unknown variables and stray braces (an empty template means: no tag)."""
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as e:
        raise UsageError(f"snapshot.auto_tag '{template}': {e}", "write variables as {NAME}") from None
    for f in fields:
        if f not in VARIABLES:
            raise UsageError(f"unknown variable '{{{f}}}' in snapshot.auto_tag", f"use: {', '.join(VARIABLES)}")
    return template


def expand(template: str, *, number: int, hostname: str, username: str, branch: str | None, commit: str,
           when: float | None = None) -> str:
    """The tag name, or UsageError when the result is not a valid tag."""
    t = time.localtime(when)
    values = {
        "SNAPSHOT_NO": f"{number:03d}", "HOSTNAME": hostname, "USERNAME": username,
        "BRANCH": branch or "detached", "COMMIT": commit[:7], "YEAR": f"{t.tm_year:04d}",
        "MONTH": f"{t.tm_mon:02d}", "DAY": f"{t.tm_mday:02d}", "HOUR": f"{t.tm_hour:02d}",
        "MIN": f"{t.tm_min:02d}", "SEC": f"{t.tm_sec:02d}",
    }
    values = {k: _BAD.sub("-", v) for k, v in values.items()}
    tag = _BAD.sub("-", check(template).format(**values))
    if not _TAG_RE.match(tag) or _HASHLIKE_RE.match(tag):
        raise UsageError(f"snapshot.auto_tag '{template}' gives '{tag}', which is not a valid tag",
                         "tags are letters, digits, '-' and '.', not all hex digits; change the template")
    return tag
