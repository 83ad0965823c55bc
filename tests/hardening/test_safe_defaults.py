"""Safe defaults that are configuration or code shape, checked so they stay that way."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_app_listens_on_this_machine_only_with_xsrf_and_an_upload_limit():
    server = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]
    assert server["address"] == "127.0.0.1"
    assert server["enableXsrfProtection"] is True
    assert 0 < server["maxUploadSize"] <= 1000  # MB


def test_specs_are_data_no_code_from_a_spec_can_run():
    """The spec loader and the engine never evaluate, execute or import by name."""
    builtins = {"eval", "exec", "compile", "__import__"}  # called by bare name
    methods = {"import_module"}  # importlib.import_module, however imported
    offenders = []
    for path in [
        *(ROOT / "formcheck" / "specs").glob("*.py"),
        *(ROOT / "formcheck" / "engine").glob("*.py"),
    ]:
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                bare = isinstance(func, ast.Name) and func.id in builtins | methods
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if bare or name in methods:
                    offenders.append(f"{path.name}:{node.lineno}: {name}()")
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                modules = [a.name for a in node.names] + [getattr(node, "module", "") or ""]
                if any(m in ("importlib", "pickle", "marshal") for m in modules):
                    offenders.append(f"{path.name}:{node.lineno}: imports {modules}")
    assert offenders == []
