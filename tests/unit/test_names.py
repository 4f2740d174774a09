"""Validation of the names users type: tags, hostnames, resource names, roles."""

from __future__ import annotations

import pytest

from git_dws.errors import DwsError, UsageError
from git_dws.model import names


@pytest.mark.parametrize("tag", ["S1", "v1.0", "release-2", "ABCDEF", "abcde", "1", "x" * 63, "x.y.z", "A-b-C"])
def test_valid_tags(tag: str) -> None:
    assert names.check_tag(tag) == tag


@pytest.mark.parametrize("tag", ["bad_tag", "a b", "-lead", "trail-", "a..b", ".x", "x.", "ü", "a" * 64,
                                 "", "x/y", "x:y", "x~1", "x^", "@{1}", "a\nb", "S1\n",
                                 "v1.lock"])
def test_invalid_tags(tag: str) -> None:
    with pytest.raises(UsageError) as e:
        names.check_tag(tag)
    assert e.value.hint  # every refusal says what to do instead
    assert e.value.exit_code == 2


@pytest.mark.parametrize("tag", ["abcdef", "deadbeef12", "0123456789", "0" * 40, "0123456789abcdef" * 2])
def test_hash_like_tags_are_refused(tag: str) -> None:
    with pytest.raises(UsageError, match="looks like"):
        names.check_tag(tag)


@pytest.mark.parametrize("text,role", [("s", "source-data"), ("I", "intermediate-data"), ("c", "code"),
                                       ("r", "results"), ("Results", "results"), (" code ", "code"),
                                       ("source-data", "source-data")])
def test_parse_role_accepts_abbreviations_and_any_case(text: str, role: str) -> None:
    assert names.parse_role(text) == role


@pytest.mark.parametrize("text", ["", "data", "result", "x"])
def test_parse_role_rejects_unknown(text: str) -> None:
    with pytest.raises(UsageError, match="unknown role"):
        names.parse_role(text)


def test_parse_roles() -> None:
    assert names.parse_roles("all") == list(names.ROLES)
    assert names.parse_roles("ALL") == list(names.ROLES)
    assert names.parse_roles("code,results") == ["code", "results"]
    assert names.parse_roles("c, r,") == ["code", "results"]
    with pytest.raises(UsageError):
        names.parse_roles("code,c")  # the same role twice
    with pytest.raises(UsageError):
        names.parse_roles("code,bogus")


@pytest.mark.parametrize("host", ["testhost", "a-b.example.org", "h1"])
def test_valid_hostnames(host: str) -> None:
    assert names.check_hostname(host) == host


@pytest.mark.parametrize("host", ["bad_host", "-x", "x-", "", "a b", "x..y", "host\n"])
def test_invalid_hostnames(host: str) -> None:
    with pytest.raises(DwsError):
        names.check_hostname(host)


@pytest.mark.parametrize("name", ["data", "my.data", "my_data", "d-1", "A", "x" * 100])
def test_valid_resource_names(name: str) -> None:
    assert names.check_resource_name(name) == name


@pytest.mark.parametrize("name", ["", "my data", "-x", ".x", "a/b", "x" * 101, "é", "data\n"])
def test_invalid_resource_names(name: str) -> None:
    with pytest.raises(UsageError):
        names.check_resource_name(name)


@pytest.mark.parametrize("text,expected", [("abcd", True), ("0" * 40, True), ("abc", False), ("ABCD", False),
                                           ("abcg", False), ("0" * 41, False)])
def test_looks_like_id(text: str, expected: bool) -> None:
    assert names.looks_like_id(text) is expected
