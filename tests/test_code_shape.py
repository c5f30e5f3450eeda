"""The shape the code keeps (issue 19): short functions, small admin modules, models that
import no read model. Read from the source, so a change that breaks a rule fails here."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("shop", "partials", "config")
LONGEST_FUNCTION = 80
LONGEST_ADMIN_MODULE = 500


def sources():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_no_function_is_longer_than_80_lines():
    long = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1})"
        for path in sources()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > LONGEST_FUNCTION
    ]
    assert long == []


def test_no_admin_module_is_longer_than_500_lines():
    admin = sorted((ROOT / "shop" / "admin").glob("*.py"))
    assert len(admin) > 1
    assert [p.name for p in admin if len(p.read_text().splitlines()) > LONGEST_ADMIN_MODULE] == []


def test_models_import_no_read_model_not_even_for_type_hints():
    """Loaders return what blocks show; nothing of shop.queries is written onto a model."""
    found = []
    for path in sorted((ROOT / "shop" / "models").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("shop.queries"):
                found.append(f"{path.name}: from {node.module}")
            if isinstance(node, ast.Import):
                found += [
                    f"{path.name}: import {a.name}" for a in node.names if "queries" in a.name
                ]
    assert found == []
