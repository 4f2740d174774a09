"""What a killed restore leaves behind never blocks the next command, and a broken `.dws.toml` gets a
message that says what is wrong and how to fix it (issue 11), not a Python key name."""

from __future__ import annotations

from pathlib import Path

from conftest import assert_error, dws, dws_json, take, write


def test_temporaries_of_a_killed_restore_are_not_content(data_ws: Path) -> None:
    ws, data = data_ws, data_ws / "data"
    write(data / "a.txt", "one\n")
    take(ws, "S1")
    write(data / "a.txt", "two\n")
    take(ws, "S2")
    # what a restore killed between writing a temporary and renaming it leaves
    write(data / ".dws-tmp-4242-0", "half a file")
    write(data / "sub" / ".dws-tmp-4242-1", "")
    st = dws_json(ws, "status")
    assert all(r["clean"] for r in st["resources"] if r["name"] == "data"), st
    dws(ws, "restore", "S1")  # not refused as "changes no snapshot holds"
    assert (data / "a.txt").read_text() == "one\n"
    assert not (data / ".dws-tmp-4242-0").exists() and not (data / "sub" / ".dws-tmp-4242-1").exists()


def test_empty_dws_toml(ws: Path) -> None:
    (ws / ".dws.toml").write_text("")
    err = assert_error(dws(ws, "status", check=False), r"no \[workspace\] table")
    assert "'workspace'" not in err


def test_resource_without_type(ws: Path) -> None:
    text = (ws / ".dws.toml").read_text().replace('type = "git-subdirectory"\n', "", 1)
    (ws / ".dws.toml").write_text(text)
    err = assert_error(dws(ws, "status", check=False), r"resource 'code' .* has no type")
    assert 'type = "local-files"' in err


def test_bad_role_and_bad_template(ws: Path) -> None:
    toml = ws / ".dws.toml"
    good = toml.read_text()
    toml.write_text(good.replace('role = "code"', 'role = "boss"', 1))
    assert_error(dws(ws, "status", check=False), r"role 'boss'")
    toml.write_text(good.replace("[params]", '[params]\n"results.dir_template" = "snapshots/../../x"', 1))
    assert_error(dws(ws, "status", check=False), r"results\.dir_template")
