"""The results directory template (`results.dir_template`)."""

from __future__ import annotations

import datetime as dt
import re
import string

from ..errors import UsageError

VARIABLES = ("USERNAME", "HOSTNAME", "SNAPSHOT_NO", "ISO_TIMESTAMP", "YEAR", "MONTH", "SHORT_MONTH",
             "DAY", "HOUR", "MIN", "SEC", "DAY_OF_WEEK", "TAG")
DEFAULT = "snapshots/{HOSTNAME}-{TAG}"


def check(template: str) -> str:
    if not template.startswith("snapshots/"):
        raise UsageError(f"results.dir_template '{template}' must start with 'snapshots/'",
                         "example: snapshots/{HOSTNAME}-{TAG}")
    for _, field, _, _ in string.Formatter().parse(template):
        if field is not None and field not in VARIABLES:
            raise UsageError(f"unknown variable '{{{field}}}' in results.dir_template",
                             f"use: {', '.join(VARIABLES)}")
    return template


def expand(template: str, *, username: str, hostname: str, number: int, tag: str | None,
           when: dt.datetime) -> str:
    values = {
        "USERNAME": username, "HOSTNAME": hostname, "SNAPSHOT_NO": f"{number:03d}",
        "ISO_TIMESTAMP": when.strftime("%Y-%m-%dT%H:%M:%S"), "YEAR": f"{when.year:04d}",
        "MONTH": f"{when.month:02d}", "SHORT_MONTH": when.strftime("%b"), "DAY": f"{when.day:02d}",
        "HOUR": f"{when.hour:02d}", "MIN": f"{when.minute:02d}", "SEC": f"{when.second:02d}",
        "DAY_OF_WEEK": when.strftime("%A"), "TAG": tag or f"{number:03d}",
    }
    out = check(template).format(**values)
    if re.search(r"(^|/)\.\.?(/|$)", out) or "//" in out:
        raise UsageError(f"results.dir_template expands to a bad path '{out}'",
                         "use no empty, '.' or '..' path parts; example: snapshots/{HOSTNAME}-{TAG}")
    return out
