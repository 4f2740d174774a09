"""How metric and parameter values are shown: numbers keep their significant digits.

A fixed number of decimals hides what a data scientist compares (0.01223 and 0.013044 both became
"0.012"), so a float is shown by significant digits, never decimals: the shortest text that reads back as
the value rounded to 6 significant digits (0.013044 stays 0.013044, 0.1 + 0.2 shows as 0.3, 44/45 as
0.977778; DVC shows 5). `--json` carries the full value. A change between two runs is rounded to the
decimals its operands were written with (up to 10 significant digits, past which a float's digits are
binary noise), so 0.013044 - 0.01223 shows as 0.000814, not 0.0008139999999999998. Pure functions; the
text, HTML and notebook renderers share them.
"""

from __future__ import annotations

import json
import math
from typing import Any

SIGNIFICANT = 10  # beyond this, digits of a float are noise of binary arithmetic
SHOWN = 6  # significant digits in tables


def is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def clean(v: float, digits: int = SIGNIFICANT) -> float:
    """`v` rounded to `digits` significant digits (by default: without the noise of binary arithmetic)."""
    if not math.isfinite(v):
        return v
    return float(f"{v:.{digits}g}")


def fmt_number(v: float | int) -> str:
    if isinstance(v, int):
        return str(v)
    if not math.isfinite(v):
        return str(v)
    if 10 ** SHOWN <= abs(v) < 1e16:
        return str(round(v))  # integer digits are never dropped: 123456789.25 shows as 123456789
    text = repr(clean(v, SHOWN))
    if text.endswith(".0") and abs(v) < 1e16:
        text = text[:-2]  # 5.0 -> 5: the column holds numbers, not types
    return text


def fmt_value(v: Any) -> str:
    """Any metric or parameter value as table text ('' for absent)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if is_number(v):
        return fmt_number(v)
    if isinstance(v, dict | list):
        return json.dumps(v, sort_keys=True)
    return str(v)


def _decimals(v: float | int) -> int:
    """Decimals `v` is written with (0.01223 -> 5, 1.5e-07 -> 8)."""
    if isinstance(v, int) or not math.isfinite(v):
        return 0
    text = repr(clean(v))
    mantissa, _, exp = text.partition("e")
    decimals = len(mantissa.partition(".")[2].rstrip("0"))
    return max(0, decimals - int(exp or 0))


def change(old: Any, new: Any) -> float | int | None:
    """new - old for two numbers, rounded to the decimals they were written with; None otherwise."""
    if not (is_number(old) and is_number(new)):
        return None
    if isinstance(old, int) and isinstance(new, int):
        return new - old
    d = round(float(new) - float(old), max(_decimals(old), _decimals(new)))
    return 0.0 if d == 0 else d


def fmt_change(d: float | int | None) -> str:
    if d is None:
        return ""
    if d == 0:
        return "0"
    return ("+" if d > 0 else "") + fmt_number(d)
