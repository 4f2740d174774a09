"""The results directory template (`results.dir_template`)."""

from __future__ import annotations

import datetime as dt

import pytest

from git_dws.errors import DwsError
from git_dws.model import template

WHEN = dt.datetime(2026, 3, 4, 5, 6, 7)


def expand(t: str, tag: str | None = "S1", number: int = 7, host: str = "h") -> str:
    return template.expand(t, username="alice", hostname=host, number=number, tag=tag, when=WHEN)


def test_default_template_with_tag() -> None:
    assert template.DEFAULT == "snapshots/{HOSTNAME}-{TAG}"
    assert expand(template.DEFAULT) == "snapshots/h-S1"


@pytest.mark.parametrize("number,want", [(1, "snapshots/h-001"), (42, "snapshots/h-042"), (1234, "snapshots/h-1234")])
def test_no_tag_gives_zero_padded_snapshot_number(number: int, want: str) -> None:
    assert expand(template.DEFAULT, tag=None, number=number) == want


def test_every_variable_expands() -> None:
    t = "snapshots/" + "/".join(f"{{{v}}}" for v in template.VARIABLES)
    assert expand(t) == ("snapshots/alice/h/007/2026-03-04T05:06:07/2026/03/Mar/04/05/06/07/"
                         "Wednesday/S1")


@pytest.mark.parametrize("bad", ["results/{TAG}", "{TAG}", "/snapshots/{TAG}", "snapshots/{NOPE}",
                                 "snapshots/{tag}"])
def test_check_refuses_bad_templates(bad: str) -> None:
    with pytest.raises(DwsError) as e:
        template.check(bad)
    assert e.value.message


@pytest.mark.parametrize("t", ["snapshots/{TAG}/..", "snapshots/../{TAG}", "snapshots//{TAG}",
                               "snapshots/./x"])
def test_expansion_to_a_bad_path_is_refused(t: str) -> None:
    with pytest.raises(DwsError):
        expand(t)


def test_check_accepts_plain_and_nested() -> None:
    for t in ("snapshots/fixed", "snapshots/{YEAR}/{MONTH}/{TAG}", "snapshots/{HOSTNAME}-{SNAPSHOT_NO}"):
        assert template.check(t) == t
