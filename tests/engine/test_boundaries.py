"""The engine is pure NumPy: no module in engine/ imports the web stack, the database, the
network or the app (checked on the source with ``ast``, so nothing is imported to find out)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parents[2] / "engine"
FORBIDDEN = {"fastapi", "pydantic", "pydantic_settings", "starlette", "app", "uvicorn", "jinja2",
             "sqlite3", "socket", "requests", "httpx"}
SOURCES = sorted(ENGINE.glob("*.py"))


def imported_top_levels(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id == "__import__" and node.args
              and isinstance(node.args[0], ast.Constant)):
            names.add(str(node.args[0].value).split(".")[0])
    return names


def test_the_engine_sources_are_found():
    names = {p.name for p in SOURCES}
    assert {"network.py", "trainer.py", "surface.py", "spec.py", "__init__.py"} <= names


@pytest.mark.parametrize("path", SOURCES, ids=[p.name for p in SOURCES])
def test_engine_module_imports_no_web_database_or_network_code(path):
    bad = imported_top_levels(path.read_text(encoding="utf-8")) & FORBIDDEN
    assert not bad, f"{path.name} imports {sorted(bad)}"


def test_the_checker_sees_every_import_form():
    source = "import socket\nimport os.path as p\nfrom app.store import x\nfrom . import y\n" \
             "__import__('httpx')\n"
    assert imported_top_levels(source) == {"socket", "os", "app", "httpx"}
