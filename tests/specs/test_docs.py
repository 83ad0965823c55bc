"""The spec-language reference is generated from the registries, never kept in sync by hand."""

from __future__ import annotations

from pathlib import Path

from formcheck.specs.docs import render_spec_language
from formcheck.specs.kinds import check_kinds, metric_kinds

DOC = Path(__file__).resolve().parents[2] / "docs" / "spec-language.md"


def test_committed_reference_is_the_generated_one():
    assert DOC.read_text(encoding="utf-8") == render_spec_language(), (
        "docs/spec-language.md is stale: run python3 -m formcheck.specs.docs > "
        "docs/spec-language.md"
    )


def test_reference_documents_every_kind_and_parameter():
    text = render_spec_language()
    for kind in [*metric_kinds().values(), *check_kinds().values()]:
        assert f"### `{kind.name}`" in text
        for param in kind.params:
            assert f"| `{param.name}` |" in text


def test_engine_implements_every_registered_kind():
    from formcheck.engine.checks import check_classes
    from formcheck.engine.metrics import evaluators

    assert set(evaluators()) == set(metric_kinds())
    assert set(check_classes()) == set(check_kinds())
