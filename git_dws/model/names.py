"""Validation of the names users type: tags, hostnames, resource names, roles."""

from __future__ import annotations

import re

from ..errors import UsageError

ROLES = ("source-data", "intermediate-data", "code", "results")
_ROLE_ABBREV = {"s": "source-data", "i": "intermediate-data", "c": "code", "r": "results"}

# DNS labels joined by '.', as the original's HOSTNAME_RE (tags and hostnames share it).
_LABEL = r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)"
HOSTNAME_RE = re.compile(rf"{_LABEL}(\.{_LABEL})*")
_HASHLIKE_RE = re.compile(r"[0-9a-f]{40}|[0-9a-f]{6,}")
_RESOURCE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def parse_role(text: str) -> str:
    value = text.strip().lower()
    value = _ROLE_ABBREV.get(value, value)
    if value not in ROLES:
        raise UsageError(f"unknown role '{text}'", f"use one of: {', '.join(ROLES)} (or s, i, c, r)")
    return value


def parse_roles(text: str) -> list[str]:
    """`--create-resources` value: a comma list of roles, or `all`."""
    if text.strip().lower() == "all":
        return list(ROLES)
    roles = [parse_role(part) for part in text.split(",") if part.strip()]
    if len(set(roles)) != len(roles):
        raise UsageError(f"role listed twice in '{text}'", "name each role once (c is code, s source-data, ...)")
    return roles


def check_tag(tag: str) -> str:
    if not HOSTNAME_RE.fullmatch(tag) or tag.endswith(".lock"):  # git refuses refs ending .lock
        raise UsageError(
            f"invalid snapshot tag '{tag}'",
            "use letters, digits, '-' and '.', not starting or ending with '-'",
        )
    if _HASHLIKE_RE.fullmatch(tag):
        raise UsageError(f"tag '{tag}' looks like a snapshot id", "pick a tag that is not all hex digits")
    return tag


def check_hostname(name: str) -> str:
    if not HOSTNAME_RE.fullmatch(name):
        raise UsageError(f"invalid hostname '{name}'", "use letters, digits, '-' and '.'")
    return name


def check_resource_name(name: str) -> str:
    if not _RESOURCE_RE.fullmatch(name):
        raise UsageError(
            f"invalid resource name '{name}'",
            "use letters, digits, '.', '_' and '-' (at most 100), e.g. --name " + (derived_name(name) or "data"),
        )
    return name


def derived_name(base: str) -> str:
    """A valid resource name made from a directory name: accents dropped (données -> donnees), other
    characters outside the allowed set become '-' (my data -> my-data). '' if nothing is left."""
    import unicodedata

    ascii_ = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_).strip("-._")
    return name[:100]


def resource_name_for(name: str | None, base: str) -> str:
    """The name given with --name (checked), else one derived from the directory name `base`."""
    if name:
        return check_resource_name(name)
    derived = derived_name(base)
    if not derived or not _RESOURCE_RE.fullmatch(derived):
        raise UsageError(f"cannot make a resource name from the directory name '{base}'",
                         "give one with --name (letters, digits, '.', '_' and '-')")
    return derived


def is_resource_name(name: str) -> bool:
    return bool(_RESOURCE_RE.fullmatch(name))


def looks_like_id(text: str) -> bool:
    return bool(re.fullmatch(r"[0-9a-f]{4,40}", text))
