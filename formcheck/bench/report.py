"""Benchmark rows, the printed table and BENCHMARKS.md."""

from __future__ import annotations

import os
import platform
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table (also readable on a terminal): the header, its rule, a line per row.

    >>> print(markdown_table(["a", "b"], [[1, ""], ["x", 2.5]]))
    | a | b |
    |---|---|
    | 1 |  |
    | x | 2.5 |
    """
    lines = [_markdown_row(header), "|" + "---|" * len(header)]
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"row: expected {len(header)} cells, got {len(row)}: {row!r}")
        lines.append(_markdown_row(row))
    return "\n".join(lines)


def _markdown_row(cells: Sequence[object]) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


@dataclass(frozen=True)
class Stat:
    """Median with min–max over repeated runs."""

    median: float
    low: float
    high: float
    runs: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Stat:
        """The statistics of ``values``.

        >>> Stat.of([3.0, 1.0, 2.0]).median
        2.0
        """
        if not values:
            raise ValueError("values: expected at least one measurement, got none")
        return cls(statistics.median(values), min(values), max(values), len(values))

    def format(self, digits: int = 1) -> str:
        """``52.3 (51.0–53.9)``; just the value when there was one run."""
        if self.runs == 1 or self.low == self.high:
            return f"{self.median:.{digits}f}"
        return f"{self.median:.{digits}f} ({self.low:.{digits}f}–{self.high:.{digits}f})"


@dataclass(frozen=True)
class Row:
    """One line of the benchmark table."""

    section: str
    measure: str
    value: str
    target: str = ""
    met: bool | None = None  # None: no target
    note: str = ""

    @property
    def verdict(self) -> str:
        return {True: "met", False: "NOT met", None: ""}[self.met]


@dataclass
class Report:
    """Rows in the order measured, plus how they were measured."""

    rows: list[Row] = field(default_factory=list)
    method: list[str] = field(default_factory=list)

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        return row

    def table(self) -> str:
        """A Markdown table (also readable on a terminal)."""
        return markdown_table(
            ["section", "measure", "value", "target", "verdict", "note"],
            [[r.section, r.measure, r.value, r.target, r.verdict, r.note] for r in self.rows],
        )


def machine() -> str:
    """A one-line description of this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def write_markdown(report: Report, path: Path, command: str) -> None:
    """Replace BENCHMARKS.md's generated section with this run's table and method."""
    begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
    body = "\n".join(
        [
            begin,
            f"Command: `{command}`  ",
            f"Machine: {machine()}",
            "",
            report.table(),
            "",
            "How each figure was measured:",
            "",
            *[f"- {line}" for line in report.method],
            end,
        ]
    )
    text = path.read_text() if path.exists() else "# Benchmarks\n\n"
    if begin in text and end in text:
        text = text[: text.index(begin)] + body + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + "\n\n" + body + "\n"
    path.write_text(text)
