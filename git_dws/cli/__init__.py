"""The command line: the only reader of argv. Each module here registers its commands on the parser;
this one is the entry point and the one error boundary (exit 0 ok, 1 error, 2 usage, 3 bug,
130 interrupted). Commands import their use cases lazily so `--version` and hooks start fast."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import traceback
from collections.abc import Sequence
from typing import Any

from .. import __version__, crashlog
from ..errors import DwsError, UsageError
from . import collab, common, core, hooks, lineage, maint
from .common import Parser

# Modules whose register(sub) adds subcommands, in help order.
MODULES: list[Any] = [core, collab, lineage, hooks, maint]


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="git dws", description="Version data, code and results together with git.")
    p.add_argument("-b", "--batch", action="store_true", help="never prompt; fail if an answer is needed")
    p.add_argument("--verbose", action="store_true", help="print more detail, and tracebacks on errors")
    p.add_argument("--version", action="version", version=f"git-dws {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for module in MODULES:
        module.register(sub)
    c = sub.add_parser("version", help="print the version")
    c.set_defaults(func=lambda a: _print(f"git-dws version {__version__}"))
    c = sub.add_parser("help", help="show help for a command")
    c.add_argument("topic", nargs="*")
    c.set_defaults(func=lambda a: _help(p, a.topic))
    return p


def _print(text: str) -> int:
    print(text)
    return 0


def _help(p: argparse.ArgumentParser, topic: list[str]) -> int:
    parser = p
    for word in topic:
        actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not actions or word not in actions[0].choices:
            raise UsageError(f"no command '{' '.join(topic)}'", "`git dws help` lists the commands")
        parser = actions[0].choices[word]
    parser.print_help()
    return 0


# -- entry ------------------------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    common.BATCH = args.batch
    if args.verbose:  # --verbose echoes every git command git-dws runs, as the original did
        import logging

        logging.basicConfig(format="%(message)s", stream=sys.stderr)
        logging.getLogger("git_dws").setLevel(logging.DEBUG)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args))
    except DwsError as e:
        from ..ui.console import error

        error(e.message, e.hint)
        return e.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except BrokenPipeError:
        return 0
    except Exception:
        log = _crash_log()
        sys.stderr.write(f"error: git-dws hit an internal error ({sys.exc_info()[1]!r})\n"
                         f"hint: please report it with the log at {log}\n")
        if args.verbose:
            traceback.print_exc()
        return 3


def _crash_log() -> str:
    text = f"{dt.datetime.now().isoformat()} git-dws {__version__} {sys.argv!r}\n{traceback.format_exc()}\n"
    try:
        from ..store.repo import Repo

        common: str | None = Repo(os.getcwd()).common_dir
    except Exception:
        common = None
    return crashlog.write(text, common)
