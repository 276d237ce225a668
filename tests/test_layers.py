"""The import graph points down: the packages a Study uses never import ``albacore.study`` at run time."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import albacore

PACKAGE = Path(albacore.__file__).parent
LOWER = ["storages", "samplers", "pruners", "trial", "testing", "_study_records.py", "_pareto.py", "distributions.py"]


def _runtime_imports(path: Path) -> list[tuple[int, str]]:
    """Modules imported by ``path`` outside ``if TYPE_CHECKING:`` blocks (function-local imports included)."""
    tree = ast.parse(path.read_text(), str(path))
    type_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            type_only.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    found = []
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
    return found


def _files(entry: str) -> list[Path]:
    root = PACKAGE / entry
    return [root] if root.is_file() else sorted(root.rglob("*.py"))


@pytest.mark.parametrize("entry", LOWER)
def test_lower_layers_do_not_import_the_study_package(entry: str) -> None:
    offending = [
        f"{path.relative_to(PACKAGE)}:{line} imports {module}"
        for path in _files(entry)
        for line, module in _runtime_imports(path)
        if module == "albacore.study" or module.startswith("albacore.study.")
    ]
    assert not offending, offending


def test_test_modules_have_unique_names() -> None:
    # The test folders are not packages: pytest imports each test file under its bare name, so two files of
    # one name in different folders stop the whole run at collection.
    names: dict[str, list[str]] = {}
    for path in Path(__file__).parent.rglob("test_*.py"):
        if "compat" not in path.parts:
            names.setdefault(path.name, []).append(str(path.parent.name))
    assert {name: folders for name, folders in names.items() if len(folders) > 1} == {}
