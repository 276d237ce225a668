"""Every example of the documentation runs, and no page hides an example the test suite cannot see.

The pages under ``docs/`` include their Python examples from files beside them (``--8<-- "tutorial/x.py"``);
this test runs each file as a script in an empty directory. An inline ```` ```python ```` block in a page fails
the second test: put the code in a file and include it.
"""

from __future__ import annotations

import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
EXAMPLES = sorted(p for p in DOCS.rglob("*.py") if not p.name.startswith("_"))
SHELL_EXAMPLES = sorted(DOCS.rglob("*.sh"))
# Examples that take more than a few seconds on a busy two-core machine run with the slow tests (CI).
SLOW = {
    "tutorial/conditional.py",
    "tutorial/parallel.py",
    "tutorial/samplers.py",
    "howto/crash_recovery.py",
    "howto/pruner_advice.py",
    "recipes/dask_study.py",
}
_INCLUDE = re.compile(r'^\s*--8<--\s+"([^"]+)"\s*$')
_FENCE = re.compile(r"^\s*```+\s*(\w*)")


def _id(path: Path) -> str:
    return path.relative_to(DOCS).as_posix()


@pytest.mark.parametrize(
    "path", [pytest.param(p, id=_id(p), marks=[pytest.mark.slow] if _id(p) in SLOW else []) for p in EXAMPLES]
)
def test_example_runs(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # SQLite files, journals and plots land here
    monkeypatch.setattr(sys, "argv", [str(path)])
    runpy.run_path(str(path), run_name="__main__")


@pytest.mark.slow  # each command starts a Python process
@pytest.mark.parametrize("path", SHELL_EXAMPLES, ids=_id)
def test_shell_example_runs(path: Path, tmp_path: Path) -> None:
    # `albacore` and `python` are this interpreter's, so the example runs against the albacore under test.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "albacore").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m albacore.cli "$@"\n')
    (bin_dir / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", "-euo", "pipefail", str(path)], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, f"{_id(path)} failed:\n{done.stdout}\n{done.stderr}"


def test_pages_include_their_python_from_tested_files() -> None:
    included: set[str] = set()
    for page in sorted(DOCS.rglob("*.md")):
        lines = page.read_text(encoding="utf-8").splitlines()
        inside: str | None = None
        body: list[str] = []
        for number, line in enumerate(lines, 1):
            fence = _FENCE.match(line)
            if inside is None and fence:
                inside, body = fence.group(1), []
            elif inside is not None and line.strip().startswith("```"):
                code = [b for b in body if b.strip()]
                if inside in ("python", "py", "pycon"):
                    assert code and all(_INCLUDE.match(b) for b in code), (
                        f"{_id(page)}:{number}: a Python block must only include files under docs/ (--8<--)"
                    )
                included.update(match.group(1) for match in map(_INCLUDE.match, code) if match is not None)
                inside = None
            elif inside is not None:
                body.append(line)
    for name in included:
        assert (DOCS / name).is_file(), f"a page includes {name}, which does not exist"
    tested = {_id(p) for p in EXAMPLES + SHELL_EXAMPLES}
    assert included <= tested, f"pages include files that no test runs: {sorted(included - tested)}"
    unused = tested - included
    assert not unused, f"example files no page includes: {sorted(unused)}"


def test_every_public_subpackage_has_a_reference_page() -> None:
    import types

    import albacore

    documented = {
        line.split(":::", 1)[1].strip()
        for page in (DOCS / "reference").glob("*.md")
        for line in page.read_text(encoding="utf-8").splitlines()
        if line.startswith(":::")
    }
    for name in albacore.__all__:
        if isinstance(getattr(albacore, name), types.ModuleType):
            assert f"albacore.{name}" in documented, f"docs/reference/ has no page for albacore.{name}"
