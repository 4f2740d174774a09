"""`python bench/run.py [--quick] [--only S|L] [--tools git-dws,dvc,git-annex,dws-1.6] [--cases ...]`.

A case is an object with `name`, `title`, `workloads`, `steps` [(key, label)], `targets` {(workload, step):
seconds} and `run(ctx, workload) -> [Measurement]`; list it in CASES and it is run, printed and saved."""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import json
import os
import platform
import pstats
import shlex
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path
from typing import Any

from . import hooks, report, travel, workflow
from .core import REPO, RESULTS, WORK, WORKLOADS, Ctx, Log, Measurement, say
from .tools import project_revision, select

CASES: list[Any] = [workflow.CASE, hooks.CASE, travel.CASE, travel.S3_CASE]


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench/run.py", description="Time git-dws next to DVC, git-annex and "
                                "dataworkspaces 1.6 (see bench/README.md).")
    p.add_argument("--quick", action="store_true", help="one run per step instead of --runs")
    p.add_argument("--runs", type=int, default=3, metavar="N", help="runs per step; the median is reported (3)")
    p.add_argument("--only", metavar="S,L", help="workloads to run (default: all)")
    p.add_argument("--tools", metavar="T1,T2", help="git-dws,dvc,git-annex,dws-1.6 (default: all)")
    p.add_argument("--cases", metavar="C1,C2", help=f"{','.join(c.name for c in CASES)} (default: all)")
    p.add_argument("--slow-run", type=float, default=180.0, metavar="SEC",
                   help="do not repeat a tool whose run takes longer than this (180)")
    p.add_argument("--keep", action="store_true", help="keep the run directories under bench/work/runs")
    p.add_argument("--profile", action="store_true",
                   help="run git-dws under cProfile (times are inflated); profiles in bench/work/profiles")
    p.add_argument("--no-install", action="store_true", help="do not pip-install missing peers (report n/a)")
    p.add_argument("--strict", action="store_true", help="exit 1 when a git-dws target is missed")
    p.add_argument("--json", metavar="PATH", type=Path, default=RESULTS / "latest.json",
                   help="where to write the results (default bench/results/latest.json)")
    a = p.parse_args(argv)
    if a.quick:
        a.runs = 1
    if a.runs < 1:
        p.error("--runs must be at least 1")
    return a


def _pick(value: str | None, known: list[str], what: str) -> list[str]:
    if not value:
        return known
    picked = [x.strip() for x in value.split(",") if x.strip()]
    bad = [x for x in picked if x not in known]
    if bad:
        raise SystemExit(f"bench: unknown {what} {', '.join(bad)}; known: {', '.join(known)}")
    return [x for x in known if x in picked]


def main(argv: list[str] | None = None) -> int:
    if argv is None:  # `make bench BENCH_ARGS="--quick --only S"`
        argv = shlex.split(os.environ.get("BENCH_ARGS", "")) + sys.argv[1:]
    a = parse(argv)
    workloads = _pick(a.only.upper() if a.only else None, list(WORKLOADS), "workload")
    cases = [c for c in CASES if c.name in _pick(a.cases, [c.name for c in CASES], "case")]
    tools = select(a.tools)
    WORK.mkdir(parents=True, exist_ok=True)
    lock = open(WORK / ".lock", "w")  # noqa: SIM115 - held for the whole run
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise SystemExit("bench: another bench run is using bench/work; wait for it") from None
    log = Log(WORK / "logs" / "last-run.log")
    profile_dir = WORK / "profiles" if a.profile else None
    if profile_dir:
        for old in profile_dir.glob("*.prof"):
            old.unlink()
    ctx = Ctx(runs=a.runs, tools=list(tools), log=log, keep=a.keep, profile_dir=profile_dir,
              install=not a.no_install, slow_run=a.slow_run)
    started, t0, load0 = dt.datetime.now().astimezone(), time.monotonic(), os.getloadavg()
    say(f"git-dws bench: {a.runs} run(s) per step, workloads {','.join(workloads)}, "
        f"cases {','.join(c.name for c in cases)}; log in {log.path}")
    for t in tools:
        t.prepare(install=not a.no_install, log=log)
        say(f"  {t.name:<10} {t.version if t.available else 'n/a: ' + (t.reason or '')}")
    measurements: list[Measurement] = []
    for wl in workloads:
        for case in cases:
            if wl in case.workloads:
                say(f"-- {case.name} {wl}")
                measurements.extend(case.run(ctx, wl))
    load1 = os.getloadavg()
    labels = {t.name: t.label for t in tools} | {"git": "plain git"}
    lines: list[str] = []
    for wl in workloads:
        for case in cases:
            if wl in case.workloads:
                block = report.table(case, wl, measurements, labels, a.runs)
                if block:
                    lines += ["", *block]
    verdicts = [v for c in cases for v in report.verdicts(c, measurements)]
    lines += ["", "Targets (issues 2, 3 and 14), git-dws (DVC in the same run; ×N = DVC / git-dws):"]
    for v in verdicts:
        unit = " req" if v["unit"] == "requests" else " s"

        def fmt_v(x: float, unit: str = unit) -> str:
            return f"{x:.0f}{unit}" if unit == " req" else f"{x:.3f}{unit}"

        value = "n/a" if v["value_s"] is None else fmt_v(v["value_s"])
        verdict = v["status"] if v["pass"] is None else "pass" if v["pass"] else "FAIL"
        dvc = ""
        if v["dvc_s"] is not None:
            dvc = f"   DVC {fmt_v(v['dvc_s'])}"
            if v["value_s"]:
                dvc += f" ({v['dvc_s'] / v['value_s']:.1f}×)"
        lines.append(f"  {v['workload']} {v['case'] + ': ' + v['label']:<52} ≤ {v['limit_s']:g}{unit:<4} "
                     f"{value:>11}   {verdict:<5}{dvc}")
    notes = [t.note for t in tools if t.note and t.available]
    lines += ["", "Notes:", *[f"  - {n}" for n in notes],
              f"  - machine: {os.cpu_count()} cores, load average {load0[0]:.1f} at start, {load1[0]:.1f} at end; "
              "shared with other jobs, so expect ±30 % noise (compare ratios, re-run before concluding)."]
    if a.profile:
        lines += ["  - --profile: git-dws ran under cProfile, its times are inflated."]
    say("\n".join(lines))
    if profile_dir:
        _print_profiles(profile_dir)
    doc = {
        "schema": 1,
        "started": started.isoformat(timespec="seconds"),
        "duration_s": round(time.monotonic() - t0, 1),
        "options": {"runs": a.runs, "workloads": workloads, "cases": [c.name for c in cases],
                    "tools": [t.name for t in tools], "profile": a.profile},
        "machine": {"cpus": os.cpu_count(), "loadavg_start": load0, "loadavg_end": load1,
                    "python": sys.version.split()[0], "platform": platform.platform(), "git": _git_version()},
        "project": {"revision": project_revision()},
        "tools": {t.name: {"label": t.label, "available": t.available, "version": t.version, "reason": t.reason,
                           "requirement": t.pip, "note": t.note} for t in tools},
        "targets": verdicts,
        "measurements": [m.as_json() for m in measurements],
        "table": lines,
    }
    a.json.parent.mkdir(parents=True, exist_ok=True)
    a.json.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    say(f"\nresults: {a.json}")
    log.close()
    if a.strict and any(v["pass"] is False for v in verdicts):
        return 1
    return 0


def _git_version() -> str:
    return subprocess.run(["git", "--version"], capture_output=True, text=True, check=False).stdout.strip()


def _print_profiles(profile_dir: Path, top: int = 15) -> None:
    """Per profiled step: git_dws functions by cumulative time, then everything by own time. (cProfile does
    not see into worker threads: their time shows as `acquire` of a lock in the waiting thread.)"""
    for prof in sorted(profile_dir.glob("*.prof")):
        parts = []
        for order, restrict in (("cumulative", "git_dws/"), ("tottime", "")):
            buf = StringIO()
            stats = pstats.Stats(str(prof), stream=buf).sort_stats(order)
            stats.print_stats(restrict, top) if restrict else stats.print_stats(top)
            text = buf.getvalue()
            total = next((x.strip() for x in text.splitlines() if "function calls" in x), "")
            body = text[text.find("   ncalls"):] if "   ncalls" in text else text
            parts.append(f"-- by {order}{' (git_dws only)' if restrict else ''}; {total}\n{body.rstrip()}")
        text = "\n".join(parts).replace(str(REPO) + "/", "")
        prof.with_suffix(".txt").write_text(text + "\n")
        say(f"\n== profile {prof.stem}\n{text}")
