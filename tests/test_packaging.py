"""The wheel and sdist build, pass ``twine check``, carry what they must, and the wheel works outside the tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Files the wheel must ship besides the Python modules: the typing marker, the dashboard's page and the schema
# migrations (a wheel without them imports fine and fails only when a user opens the dashboard or a database).
WHEEL_DATA = [
    "albacore/py.typed",
    "albacore/dashboard/static/index.html",
    "albacore/dashboard/static/app.js",
    "albacore/dashboard/static/style.css",
    "albacore/storages/rdb/alembic/env.py",
    "albacore/storages/rdb/alembic/script.py.mako",
]
SDIST_FILES = ["LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml", "tests/conftest.py", "mkdocs.yml"]

SMOKE = """
import albacore

def objective(trial):
    x = trial.suggest_float("x", -10, 10)
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    kind = trial.suggest_categorical("kind", ["a", "b"])
    return (x - 2) ** 2 + lr + (kind == "b")

sampler = albacore.samplers.TPESampler(seed=1)
study = albacore.create_study(storage="sqlite:///smoke.db", study_name="smoke", sampler=sampler)
study.optimize(objective, n_trials=20)
assert len(study.trials) == 20, study.trials
assert albacore.__file__.startswith(__import__("sys").prefix), albacore.__file__
print("best", study.best_value)
"""


def _clean_env() -> dict[str, str]:
    # Nothing of the source tree may leak into the fresh environment through PYTHONPATH.
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}


def _run(args: list[str], cwd: Path) -> str:
    done = subprocess.run(args, cwd=cwd, env=_clean_env(), capture_output=True, text=True)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # Without isolation the build uses this environment's setuptools (no download); the wheel is built from the
    # sdist, so a file missing from the sdist shows up as a file missing from the wheel.
    _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)], cwd=out)
    return out


def _one(dist: Path, pattern: str) -> Path:
    found = sorted(dist.glob(pattern))
    assert len(found) == 1, found
    return found[0]


@pytest.mark.slow
def test_wheel_and_sdist_carry_their_files_and_pass_twine(dist: Path) -> None:
    wheel, sdist = _one(dist, "albacore-*.whl"), _one(dist, "albacore-*.tar.gz")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in WHEEL_DATA:
        assert name in names, f"the wheel lacks {name}"
    assert any(n.startswith("albacore/storages/rdb/alembic/versions/") for n in names)
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert not any(n.startswith(("tests/", "benchmarks/", "docs/")) for n in names)
    with tarfile.open(sdist) as tar:
        members = {m.name.split("/", 1)[1] for m in tar.getmembers() if "/" in m.name}
    for name in SDIST_FILES:
        assert name in members, f"the sdist lacks {name}"
    assert not any("__pycache__" in m or ".venv" in m for m in members)
    _run([sys.executable, "-m", "twine", "check", "--strict", str(wheel), str(sdist)], cwd=dist)


@pytest.mark.slow
def test_the_sdist_builds_the_same_wheel_as_the_tree(dist: Path, tmp_path: Path) -> None:
    from_sdist = set(zipfile.ZipFile(_one(dist, "albacore-*.whl")).namelist())
    _run(
        [sys.executable, "-m", "build", "--no-isolation", "--wheel", "--outdir", str(tmp_path), str(ROOT)], cwd=tmp_path
    )
    from_tree = set(zipfile.ZipFile(_one(tmp_path, "albacore-*.whl")).namelist())
    assert from_sdist == from_tree, (
        f"only from the tree: {from_tree - from_sdist}; only from the sdist: {from_sdist - from_tree}"
    )


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_environment_and_optimizes(dist: Path, tmp_path: Path) -> None:
    wheel = _one(dist, "albacore-*.whl")
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    python, cli = venv / "bin" / "python", venv / "bin" / "albacore"
    # With every extra a user may ask for (about 90 s from pip's cache; Lightning and torch are not in [all]).
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    _run([*pip, f"{wheel}[all]"], cwd=tmp_path)
    assert "best" in _run([str(python), "-c", SMOKE], cwd=tmp_path)
    # The README's quickstart, copied out of the tree so that only the installed albacore can be imported.
    quickstart = shutil.copy(ROOT / "examples" / "quickstart.py", tmp_path / "quickstart.py")
    out = _run([str(python), str(quickstart), "--trials", "5", "--storage", "sqlite:///quickstart.db"], cwd=tmp_path)
    assert "Best validation accuracy" in out
    from albacore.version import __version__

    assert _run([str(cli), "--version"], cwd=tmp_path).strip().endswith(__version__)
    assert "smoke" in _run([str(cli), "studies", "--storage", "sqlite:///smoke.db"], cwd=tmp_path)
