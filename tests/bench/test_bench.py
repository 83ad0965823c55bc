"""`formcheck bench --quick` runs and reports every row. Numbers are not asserted here."""

import subprocess
import sys

import pytest

from formcheck.bench.report import Report, Row, Stat

EXPECTED_SECTIONS = [
    "1 inference bound",
    "2 clip review",
    "3 fast review",
    "4 engine alone",
    "5 live path",
    "6 memory",
    "7 accuracy",
    "8 rendered clips",
    "9 randomized suite",
    "10 exercise guess",
]


def test_stat_formats_median_with_range():
    assert Stat.of([50.0, 52.0, 55.0]).format() == "52.0 (50.0–55.0)"
    assert Stat.of([7.0]).format() == "7.0"
    with pytest.raises(ValueError, match="expected at least one measurement"):
        Stat.of([])


def test_table_marks_targets():
    report = Report()
    report.add(Row("4 engine alone", "µs per frame", "31.0", "<= 50", True))
    report.add(Row("6 memory", "peak", "700 MB", "<= 600 MB", False))
    lines = report.table().splitlines()
    assert lines[2] == "| 4 engine alone | µs per frame | 31.0 | <= 50 | met |  |"
    assert lines[3].endswith("| NOT met |  |")


@pytest.mark.slow
def test_quick_bench_reports_every_row(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "formcheck", "bench", "--quick"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ")][1:]
    sections = {line.split("|")[1].strip() for line in rows}
    assert set(EXPECTED_SECTIONS) <= sections, sections
    measures = "\n".join(rows)
    for fragment in (
        "bare PoseLandmarker, lite",
        "bare PoseLandmarker, full",
        "no annotation",
        "annotated H.264",
        "every 2nd frame",
        "simulator suite",
        "µs/frame",
        "p50 / p95",
        "30 fps",
        "peak RSS",
        "long / short peak",
        "exact counts",
        "recall at 1.5 x limit",
        "false flags at 0.5 x limit",
    ):
        assert fragment in measures, fragment
