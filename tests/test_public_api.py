"""Every public module's ``__all__`` is complete and correct, and Optuna's top-level names exist."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
import types

import pytest

import albacore
from albacore._optional import MissingDependencyError

PUBLIC_MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(albacore.__path__, "albacore.")
    if not any(part.startswith("_") for part in info.name.split("."))
    and not info.name.startswith(("albacore.testing", "albacore.cli"))
)


def _import_installed(module_name: str) -> types.ModuleType | None:
    # Integration modules need their training library; one whose extra is not installed here is skipped.
    try:
        return importlib.import_module(module_name)
    except MissingDependencyError:
        return None


def _public_value(module: types.ModuleType, name: str) -> object:
    try:
        return getattr(module, name)
    except MissingDependencyError:
        return None  # a lazily imported integration whose extra is not installed here


@pytest.mark.parametrize("module_name", ["albacore", *PUBLIC_MODULES])
def test_all_lists_every_public_name_and_only_existing_ones(module_name: str) -> None:
    module = _import_installed(module_name)
    if module is None:
        pytest.skip(f"{module_name} needs an optional library that is not installed")
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{module_name} has no __all__"
    for name in exported:
        try:
            _public_value(module, name)
        except AttributeError:
            pytest.fail(f"{module_name}.__all__ names missing {name!r}")
        assert not name.startswith("_") or name == "__version__", f"{module_name}.__all__ leaks private {name!r}"
    for name, value in vars(module).items():
        if name.startswith("_") or isinstance(value, types.ModuleType):
            continue
        defined_here = getattr(value, "__module__", "").startswith(module_name)
        if (inspect.isclass(value) or inspect.isfunction(value)) and defined_here:
            assert name in exported, f"{module_name}.{name} is public but not in __all__"


def test_optuna_top_level_names_exist() -> None:
    for name in [
        "Study",
        "Trial",
        "TrialPruned",
        "__version__",
        "copy_study",
        "create_study",
        "create_trial",
        "delete_study",
        "distributions",
        "exceptions",
        "get_all_study_names",
        "get_all_study_summaries",
        "importance",
        "load_study",
        "logging",
        "pruners",
        "samplers",
        "storages",
        "study",
        "trial",
    ]:
        assert hasattr(albacore, name), name


def test_public_names_have_docstrings() -> None:
    for module_name in ["albacore", *PUBLIC_MODULES]:
        module = _import_installed(module_name)
        if module is None:
            continue
        for name in module.__all__:
            value = _public_value(module, name)
            if inspect.isclass(value) or inspect.isfunction(value):
                assert inspect.getdoc(value), f"{module_name}.{name} has no docstring"


_SECTION = re.compile(r"^(?:Args|Arguments|Attributes):[ \t]*$(.*?)(?=^\S|\Z)", re.MULTILINE | re.DOTALL)
# An entry names one argument, or several sharing a description ("num_boost_round, valid_sets: As for ...").
_ENTRY = re.compile(r"^[ \t]{2,8}(\w+(?:,[ \t]*\w+)*)(?:[ \t]\([^)]*\))?:", re.MULTILINE)
# Docstrings that point at the documentation of the arguments elsewhere, or of a deprecated name.
_ARGUMENTS_ELSEWHERE = re.compile(r"[Ss]ame arguments|'s arguments|^Deprecated")


def _documented_arguments(doc: str) -> set[str]:
    names: set[str] = set()
    for section in _SECTION.finditer(doc):
        for entry in _ENTRY.finditer(section.group(1)):
            names.update(name.strip() for name in entry.group(1).split(","))
    return names


def _arguments(value: object) -> list[str]:
    if inspect.isclass(value):
        if issubclass(value, BaseException) or "__init__" not in vars(value):
            return []  # exceptions take a message; a class without its own constructor documents its base's
        signature = inspect.signature(value.__init__)
    else:
        signature = inspect.signature(value)  # type: ignore[arg-type]
    skipped = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    return [p.name for p in signature.parameters.values() if p.name not in ("self", "cls") and p.kind not in skipped]


def test_public_callables_document_every_argument() -> None:
    # The API reference is generated from these docstrings: an argument missing from "Args:" is missing there.
    undocumented: dict[str, list[str]] = {}
    for module_name in ["albacore", *PUBLIC_MODULES]:
        module = _import_installed(module_name)
        if module is None:
            continue
        for name in module.__all__:
            value = _public_value(module, name)
            if not (inspect.isclass(value) or inspect.isfunction(value)):
                continue
            if not getattr(value, "__module__", "").startswith("albacore"):
                continue
            doc = inspect.getdoc(value) or ""
            if _ARGUMENTS_ELSEWHERE.search(doc):
                continue
            missing = [arg for arg in _arguments(value) if arg not in _documented_arguments(doc)]
            if missing:
                undocumented[f"{value.__module__}.{value.__qualname__}"] = missing
    assert not undocumented, f"arguments missing from the docstrings' Args sections: {undocumented}"


# What a newcomer reads first in the API reference: each shows a runnable example (run by the doctests) and says
# what it raises.
MAIN_ENTRY_POINTS = [
    albacore.create_study,
    albacore.load_study,
    albacore.Study.optimize,
    albacore.Study.ask,
    albacore.Study.tell,
    albacore.Trial.suggest_float,
    albacore.Trial.suggest_int,
    albacore.Trial.suggest_categorical,
    albacore.Trial.report,
]


@pytest.mark.parametrize("entry_point", MAIN_ENTRY_POINTS, ids=lambda f: f.__qualname__)
def test_main_entry_points_have_an_example_and_say_what_they_raise(entry_point: object) -> None:
    doc = inspect.getdoc(entry_point) or ""
    assert re.search(r"^Examples?:$", doc, re.MULTILINE) and ">>> " in doc, "no runnable example"
    assert re.search(r"^Raises:$", doc, re.MULTILINE), "no Raises section"


def test_importing_albacore_loads_no_optional_or_slow_library() -> None:
    # Every script, CLI call and worker process pays for `import albacore`; scipy alone would add ~0.15 s.
    code = (
        "import sys, albacore; "
        "print(sorted(m for m in ('scipy', 'sqlalchemy', 'alembic', 'pandas', 'plotly', 'matplotlib', 'redis', "
        "'psycopg', 'pymysql', 'cmaes', 'tqdm', 'threadpoolctl', 'sklearn') if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"
