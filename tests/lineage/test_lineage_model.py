"""Unit tests of the lineage values: references, certificates, the JSON format, the record set."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from git_dws.lineage import LineageConflictError, LineageConsistencyError, LineagePlaceHolderError, ResourceRef
from git_dws.lineage.model import (
    HashCertificate,
    ImportedLineage,
    LineageError,
    PlaceholderCertificate,
    SourceDataLineage,
    StepLineage,
    cert_from_json,
    lineage_from_json,
    make_ref,
    parse_ref,
)
from git_dws.lineage.records import LineageSet
from git_dws.ops.run import parse_param

R = ResourceRef


def test_covers() -> None:
    assert R("a").covers(R("a", "x"))
    assert R("a", "x").covers(R("a", "x/y"))
    assert not R("a", "x").covers(R("a", "xy"))  # component-wise, not string prefix
    assert not R("a", "x").covers(R("a", "x"))
    assert not R("a").covers(R("a"))
    assert not R("a").covers(R("b", "x"))
    assert not R("a", "x/y").covers(R("a", "x"))
    assert make_ref("a", "./x//y/") == R("a", "x/y") and make_ref("a", ".") == R("a")
    assert parse_ref("res:/p/q") == R("res", "p/q") and parse_ref("res") == R("res")
    with pytest.raises(LineageError):
        make_ref("a", "../b")
    assert str(R("a", "x")) == "a:/x"


def test_certificate_json_and_the_misspelled_key() -> None:
    out = PlaceholderCertificate(R("a", "x"), 2, "c", is_output=True)
    obj = out.to_json()
    assert obj["certificate"]["is_output"] is True and "is_ouput" not in obj["certificate"]
    assert cert_from_json(obj) == out
    # the original wrote `is_ouput`: still understood, and an output stays an output
    orig = {"resource_name": "a", "subpath": "x",
            "certificate": {"cert_type": "placeholder", "version": 2, "comment": "", "is_ouput": True}}
    assert cert_from_json(orig) == out
    h = HashCertificate(R("a"), "f" * 40, "one comment")
    assert h == HashCertificate(R("a"), "f" * 40, "another")  # the comment is not identity
    assert cert_from_json(json.loads(json.dumps(h.to_json()))) == h
    with pytest.raises(LineageError):
        cert_from_json({"resource_name": "a", "certificate": {"cert_type": "magic"}})


def step(name: str, ins: list[ResourceRef | PlaceholderCertificate | HashCertificate],
         outs: list[ResourceRef]) -> StepLineage:
    certs = [c if not isinstance(c, ResourceRef) else PlaceholderCertificate(c, 1) for c in ins]
    return StepLineage(name, dt.datetime(2026, 1, 1, 12, 0), {"p": 1}, certs, [],
                       [PlaceholderCertificate(o, 1, is_output=True) for o in outs])


def test_record_round_trip() -> None:
    s = step("s", [R("src")], [R("out", "a")])
    s.run_from_directory = R("code", "dir")
    again = lineage_from_json(json.loads(json.dumps(s.to_json())))
    assert again == s
    imp = ImportedLineage("out", [s])
    assert lineage_from_json(imp.to_json()) == imp
    with pytest.raises(LineageError):
        lineage_from_json({"type": "imported", "resource_name": "zz", "nested_lineage": [s.to_json()]})


def test_set_conflicts_consistency_and_resolution() -> None:
    ls = LineageSet()
    ls.put(SourceDataLineage(PlaceholderCertificate(R("src"), 1)))
    ls.put(step("s1", [R("src")], [R("mid", "a")]))
    with pytest.raises(LineageConflictError, match="child path"):
        ls.check_put(R("mid"))
    with pytest.raises(LineageConflictError, match="parent path"):
        ls.put(step("s2", [R("src")], [R("mid", "a/b")]))
    ls.check_put(R("mid", "a"))  # the same reference is replaced, not a conflict
    assert ls.expand(R("mid")) == [R("mid", "a")]
    ls.check_transitive("reader", [R("mid", "a"), R("src")])
    ls.put(SourceDataLineage(HashCertificate(R("src"), "1" * 40)))  # src moved on
    with pytest.raises(LineageConsistencyError, match="two versions"):
        ls.check_transitive("reader", [R("mid", "a"), R("src")])
    records, warnings = ls.closure("mid")
    assert len(records) == 2 and warnings == []
    ls.resolve({"src": "2" * 40, "mid": "3" * 40})
    rec = ls.retrieve(R("mid", "a"))
    assert isinstance(rec, StepLineage)
    assert rec.input_resources == [HashCertificate(R("src"), "2" * 40)]
    assert rec.output_resources == [HashCertificate(R("mid", "a"), "3" * 40)]
    # a placeholder no snapshotted resource can resolve
    ls.put(step("s3", [R("gone")], [R("other")]))
    with pytest.raises(LineagePlaceHolderError, match="unresolved placeholder for gone"):
        ls.resolve({"src": "2" * 40, "mid": "3" * 40, "other": "4" * 40})
    ls.clear(R("other"))
    assert ls.refs_for("other") == []


def test_params() -> None:
    assert parse_param("n=3") == ("n", 3)
    assert parse_param("x=0.5") == ("x", 0.5)
    assert parse_param("flag=true") == ("flag", True)
    assert parse_param("name=abc") == ("name", "abc")
    assert parse_param('s="quoted"') == ("s", '"quoted"')
    assert parse_param("l=[1,2]") == ("l", [1, 2])
    assert parse_param("e=") == ("e", "")


def test_argparse_helpers() -> None:
    import argparse

    from git_dws.lineage import (
        BooleanParameter,
        ChoiceParameter,
        CmdLineParameter,
        ConstantParameter,
        add_lineage_parameters_to_arg_parser,
        get_lineage_parameter_values,
    )

    params = [CmdLineParameter("min_count", 5, int, "m"), BooleanParameter("force", True, "f"),
              ChoiceParameter("mode", ["a", "b"], "a", str, "c"), ConstantParameter("version", 2)]
    p = argparse.ArgumentParser()
    add_lineage_parameters_to_arg_parser(p, params)
    vals = get_lineage_parameter_values(params, p.parse_args(["--min-count", "7", "--no-force", "--mode", "b"]))
    assert vals == {"min_count": 7, "force": False, "mode": "b", "version": 2}
