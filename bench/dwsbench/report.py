"""The printed tables, the target verdicts and the JSON results."""

from __future__ import annotations

from typing import Any

from .core import WORKLOADS, Measurement


def fmt(v: float, unit: str) -> str:
    if unit == "ms":
        return f"{v * 1000:.1f}"
    return f"{v:.3f}" if v < 10 else f"{v:.2f}" if v < 100 else f"{v:.1f}"


def ratio(peer: float, ref: float) -> str:
    if ref <= 0:
        return ""
    x = peer / ref
    return f"({x:.1f}×)" if x < 100 else f"({x:.0f}×)"


def verdicts(case: Any, ms: list[Measurement]) -> list[dict[str, Any]]:
    out = []
    for (wl, step), limit in case.targets.items():
        m = next((x for x in ms if x.case == case.name and x.workload == wl and x.step == step
                  and x.tool == "git-dws"), None)
        if m is None:
            continue
        label = dict(case.steps)[step]
        ok = None if m.value is None else m.value <= limit
        peer = next((x for x in ms if x.case == case.name and x.workload == wl and x.step == step
                     and x.tool == "dvc"), None)
        out.append({"case": case.name, "workload": wl, "step": step, "label": label, "limit_s": limit,
                    "value_s": m.value, "pass": ok, "status": m.status, "note": m.note,
                    "unit": "requests" if step in getattr(case, "counts", ()) else "s",
                    "dvc_s": peer.value if peer else None})
    return out


def table(case: Any, wl: str, ms: list[Measurement], labels: dict[str, str], runs: int) -> list[str]:
    unit = getattr(case, "unit", "s")
    rows = [m for m in ms if m.case == case.name and m.workload == wl]
    if not rows:
        return []
    tools = list(dict.fromkeys(m.tool for m in rows))
    cell = {(m.step, m.tool): m for m in rows}
    targets = {v["step"]: v for v in verdicts(case, rows)}
    w0 = max(len(label) for _, label in case.steps) + 2
    head = [f"{'':<{w0}}"] + [f"{labels.get(t, t):>18}" for t in tools]
    if targets:
        head.append("   target (git-dws)")
    unit_name = "milliseconds" if unit == "ms" else "seconds"
    ratios = getattr(case, "ratios", True) and len(tools) > 1 and "git-dws" in tools
    lines = [f"== {case.title} — {wl} ({WORKLOADS[wl].label}); median of {runs} run(s), {unit_name}"
             + ("; (×N) = peer / git-dws" if ratios else ""),
             "".join(head)]
    for step, label in case.steps:
        parts = [f"{label:<{w0}}"]
        ref = cell.get((step, "git-dws"))
        for t in tools:
            m = cell.get((step, t))
            if m is None:
                text = ""
            elif m.value is None:
                text = m.status
            elif step in getattr(case, "counts", ()):
                text = f"{m.value:.0f}"
            else:
                text = fmt(m.value, unit)
                if ratios and t != "git-dws" and ref is not None and ref.value is not None:
                    text += " " + ratio(m.value, ref.value)
            parts.append(f"{text:>18}")
        v = targets.get(step)
        if v:
            limit = f"{v['limit_s'] * 1000:g} ms" if unit == "ms" else f"{v['limit_s']:g} s"
            if v["unit"] == "requests":
                limit = f"{v['limit_s']:g} req"
            verdict = "n/a" if v["pass"] is None else "pass" if v["pass"] else "FAIL"
            parts.append(f"   ≤ {limit:<9} {verdict}")
        lines.append("".join(parts))
    seen = set()
    for m in rows:
        if m.note and (m.tool, m.note) not in seen:
            seen.add((m.tool, m.note))
            steps = [dict(case.steps)[x.step] for x in rows if x.tool == m.tool and x.note == m.note]
            every = len(steps) == len([x for x in rows if x.tool == m.tool])
            where = "every step" if every else ", ".join(steps)
            status = "" if m.status == "ok" else f" {m.status}"
            lines.append(f"  {labels.get(m.tool, m.tool)}{status} ({where}): {m.note}")
    return lines
