"""Benchmark rows, the printed table and BENCHMARKS.md."""

from __future__ import annotations

import os
import platform
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


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
        lines = [
            "| section | measure | value | target | verdict | note |",
            "|---|---|---|---|---|---|",
        ]
        for r in self.rows:
            lines.append(
                f"| {r.section} | {r.measure} | {r.value} | {r.target} | {r.verdict} | {r.note} |"
            )
        return "\n".join(lines)


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
