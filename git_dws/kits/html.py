"""Tables and headings for notebook output, each in two forms: HTML for the notebook's display and aligned
text for `text/plain` (what a terminal, `jupyter nbconvert --to markdown` or a test reads). Pure: no
IPython here, so it is usable and testable without Jupyter."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field

STYLE = ("<style>.dws-table{border-collapse:collapse;margin:4px 0 10px 0}"
         ".dws-table th,.dws-table td{border:1px solid #ccc;padding:2px 8px;text-align:left}"
         ".dws-table td.num{text-align:right}.dws-table caption{text-align:left;font-weight:bold}</style>")


@dataclass
class Output:
    """Pieces of one magic's output, in order."""

    html: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def heading(self, title: str) -> Output:
        self.html.append(f"<h4>{html.escape(title)}</h4>")
        self.text.append(title)
        return self

    def para(self, line: str) -> Output:
        self.html.append(f"<p>{html.escape(line)}</p>")
        self.text.append(line)
        return self

    def table(self, title: str | None, headers: Sequence[str], rows: Sequence[Sequence[str]],
              right: Sequence[int] = ()) -> Output:
        e = html.escape
        cap = f"<caption>{e(title)}</caption>" if title else ""
        head = "".join(f"<th>{e(h)}</th>" for h in headers)
        body = "".join("<tr>" + "".join(f'<td class="num">{e(c)}</td>' if i in right else f"<td>{e(c)}</td>"
                                        for i, c in enumerate(r)) + "</tr>" for r in rows)
        self.html.append(f'<table class="dws-table">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')
        self.text.extend(text_table(title, headers, rows, right))
        return self

    def raw(self, markup: str, text: str) -> Output:
        """Markup made elsewhere (an SVG chart or graph) with its text stand-in."""
        self.html.append(markup)
        self.text.append(text)
        return self

    def bundle(self) -> dict[str, str]:
        """The MIME bundle for IPython's display()."""
        return {"text/html": STYLE + "\n".join(self.html), "text/plain": "\n".join(self.text)}


def text_table(title: str | None, headers: Sequence[str], rows: Sequence[Sequence[str]],
               right: Sequence[int] = ()) -> list[str]:
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return [*([title] if title else []), line(headers), *(line(r) for r in rows)]
