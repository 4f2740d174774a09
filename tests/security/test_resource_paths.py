"""Attack 3 of issue 8: a pulled `.dws.toml` that points a resource outside the workspace (`..`, an
absolute path, a committed symlink). Only a machine-local path the user set
(`git config dws-resource.NAME.path DIR`) may lead outside; pull and `clone --batch` refuse with one
line naming the resource and its path, and `status` refuses without scanning outside. A pulled change of
an existing resource's path or type is refused in --batch unless --accept-resource-changes is given."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import assert_error, dws
from craft import Attacker, Crafted, Git, line
from sec_fixtures import EVIL, PAYLOAD, Guard, World, _pristine, base_data, world  # noqa: F401


def toml_with(a: Attacker, extra: str = "", replace: tuple[str, str] | None = None) -> str:
    text = a.g.out("cat-file", "blob", "HEAD:.dws.toml") + "\n"
    if replace:
        assert replace[0] in text, text
        text = text.replace(*replace)
    return a.g.blob((text + extra).encode())


def publish_evil_resource(w: World, path: str, tag: str, *, symlink: str | None = None) -> Crafted:
    """A commit adding resource `evil` (local-files) at `path`, and a snapshot that fills it."""
    a = w.attacker
    a.upload(EVIL)
    toml = toml_with(a, f'\n[resources.evil]\ntype = "local-files"\nrole = "source-data"\npath = "{path}"\n')
    tree: dict[str, tuple[str, str] | None] = {".dws.toml": ("100644", toml)}
    if symlink:
        tree[path] = ("120000", a.g.blob(symlink.encode()))
    evil = a.data_tree([line("authorized_keys", EVIL)])
    code = a.g.out("rev-parse", "HEAD:code")
    resources = [{"name": "code", "role": "code", "tree": code, "type": "git-subdirectory"},
                 {"name": "data", "role": "source-data", "tree": base_data(a), "type": "local-files"},
                 {"name": "evil", "role": "source-data", "tree": evil, "type": "local-files"}]
    return a.publish(tag, None, worktree=tree, resources=resources)


PATHS: dict[str, Callable[[World], tuple[str, str | None]]] = {  # world -> (path in .dws.toml, symlink target)
    "dotdot-sibling": lambda w: ("../victim-ssh", None),
    "absolute": lambda w: (str(w.outside / "abs-resource"), None),
    "dotdot-x3": lambda w: ("../../..", None),
    "committed-symlink": lambda w: ("ext", str(w.outside / "dir")),
}


def refused_path(proc: object, path: str) -> None:
    err = assert_error(proc, code=1)  # type: ignore[arg-type]
    first = err.splitlines()[0]
    assert "evil" in first and path in first, f"the error must name resource 'evil' and its path {path}:\n{err}"
    assert "git config dws-resource.evil.path" in err, f"no hint to set the machine-local path:\n{err}"


@pytest.mark.parametrize("case", sorted(PATHS))
def test_pulled_resource_path_outside_is_refused(world: World, case: str) -> None:  # noqa: F811
    path, link = PATHS[case](world)
    publish_evil_resource(world, path, f"path-{case}", symlink=link)
    g = Guard(world)
    refused_path(dws(world.victim, "pull", check=False), path)
    g.check()
    assert not (world.root / "victim-ssh").exists()

    if case in ("dotdot-sibling", "committed-symlink"):
        refused_path(dws(world.root, "clone", str(world.origin), "v2", "--hostname", "v2", check=False), path)
        assert not (world.root / "v2").exists()
        g.check()


@pytest.mark.parametrize("case", ["dotdot-x3", "absolute", "committed-symlink"])
def test_status_refuses_without_scanning_outside(world: World, case: str) -> None:  # noqa: F811
    """The .dws.toml arrived by plain git (git pull), so only status stands between it and a scan."""
    path, link = PATHS[case](world)
    publish_evil_resource(world, path, f"status-{case}", symlink=link)
    v = Git(world.victim)
    v.run("pull", "-q", "--ff-only", "--no-verify", env={"GIT_DWS_SKIP": "1"})
    g = Guard(world)
    proc = dws(world.victim, "status", check=False)
    refused_path(proc, path)
    assert "existing.txt" not in proc.stdout + proc.stderr
    assert not (world.victim / ".git" / "dws" / "statcache" / "evil").exists(), "status scanned the resource"
    g.check()


def test_machine_local_path_may_lead_outside(world: World) -> None:  # noqa: F811
    """What the user wrote in git config is trusted: the same resource, placed by the victim, works."""
    publish_evil_resource(world, "../victim-ssh", "local-ok")
    mine = world.root / "victim-own"
    Git(world.victim).run("config", "dws-resource.evil.path", str(mine))
    dws(world.victim, "pull")
    dws(world.victim, "restore", "local-ok")  # pull restores the resources the victim had; this one is new
    assert (mine / "authorized_keys").read_bytes().startswith(PAYLOAD)
    assert not (world.root / "victim-ssh").exists()


CHANGES = {
    "path": ('path = "data"', 'path = "data2"'),
    "type": ('type = "local-files"\nrole = "source-data"\npath = "data"',
             'type = "git-subdirectory"\nrole = "source-data"\npath = "data"'),
}


@pytest.mark.parametrize("what", sorted(CHANGES))
def test_pulled_resource_change_needs_acceptance_in_batch(world: World, what: str) -> None:  # noqa: F811
    a = world.attacker
    toml = toml_with(a, replace=CHANGES[what])
    a.publish(f"change-{what}", base_data(a), worktree={".dws.toml": ("100644", toml)})
    g = Guard(world)
    err = assert_error(dws(world.victim, "pull", check=False), code=1)
    assert "data" in err.splitlines()[0] and "--accept-resource-changes" in err, err
    g.check()
    dws(world.victim, "pull", "--accept-resource-changes")
    Guard(world).no_leak()
    assert (world.outside / "dir" / "existing.txt").exists()


def test_pulled_data_remote_change_needs_acceptance_in_batch(world: World) -> None:  # noqa: F811
    """A pulled `.dws.toml` moving the data remote (where the next push uploads the victim's data, where
    the next pull downloads from) is refused in --batch like a resource change."""
    a = world.attacker
    toml = toml_with(a, replace=(f'url = "{world.dr}"', f'url = "{world.outside / "dr"}"'))
    a.publish("change-remote", base_data(a), worktree={".dws.toml": ("100644", toml)})
    g = Guard(world)
    err = assert_error(dws(world.victim, "pull", check=False), code=1)
    assert "shared" in err.splitlines()[0] and "--accept-resource-changes" in err, err
    g.check()
