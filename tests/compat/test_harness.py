"""The compat harness itself: the import hook (in subprocesses, as the harness runs it) and the tally."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

HERE = Path(__file__).resolve().parent


def _run(tmp_path: Path, code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter with the hook installed over a tiny stand-in Optuna sdist."""
    sdist = tmp_path / "sdist"
    (sdist / "optuna" / "testing").mkdir(parents=True)
    (sdist / "optuna" / "testing" / "__init__.py").write_text("from optuna.storages import InMemoryStorage\n")
    (sdist / "optuna" / "testing" / "helpers.py").write_text("ORIGIN = 'optuna sdist'\n")
    (sdist / "optuna" / "_imports.py").write_text("ORIGIN = 'optuna sdist'\n")
    env = dict(os.environ, PYTHONPATH=str(HERE / "shim"), ALBACORE_COMPAT_OPTUNA_SRC=str(sdist))
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True, check=False
    )


def test_optuna_modules_are_albacore_modules(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        """
        import optuna, optuna.study, albacore, albacore.study
        assert optuna.study is albacore.study
        assert optuna.create_study is albacore.create_study
        from optuna.trial import TrialState
        from albacore.trial import TrialState as Ours
        assert TrialState is Ours
        """,
    )
    assert result.returncode == 0, result.stderr


def test_optuna_testing_and_imports_stay_optunas_without_touching_albacore_testing(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        """
        import albacore.testing
        import optuna.testing, optuna.testing.helpers, optuna._imports
        assert optuna.testing.helpers.ORIGIN == "optuna sdist"
        assert optuna._imports.ORIGIN == "optuna sdist"
        assert optuna.testing.InMemoryStorage is albacore.storages.InMemoryStorage
        import albacore
        assert albacore.testing.__name__ == "albacore.testing"
        """,
    )
    assert result.returncode == 0, result.stderr


def test_a_missing_private_name_fails_only_when_used(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        """
        from optuna.study import _no_such_helper
        from optuna._no_such_module.deeper import Thing
        import optuna_alias
        def a_test(missing):
            missing()
        for missing in (_no_such_helper, Thing):
            try:
                a_test(missing)
            except optuna_alias.MissingPrivateName as err:
                assert "albacore has no" in str(err)
            else:
                raise SystemExit("a placeholder did not raise")
        """,
    )
    assert result.returncode == 0, result.stderr


def test_arithmetic_on_a_missing_private_constant_fails_only_when_used(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        """
        from optuna.samplers._no_such_module import _COEF
        import optuna_alias
        derived = [1.0 + _COEF * 2.5, -_COEF, 3.0 - _COEF / 2]
        for value in derived:
            try:
                float(value)
            except optuna_alias.MissingPrivateName:
                pass
            else:
                raise SystemExit("a derived placeholder did not raise")
        """,
    )
    assert result.returncode == 0, result.stderr


def test_a_public_class_imported_from_optunas_private_module_is_albacores(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        """
        import albacore.samplers
        from optuna.samplers._nsgaiii._sampler import NSGAIIISampler
        from optuna.samplers._ga._base import BaseGASampler
        from optuna.samplers._nsgaiii._sampler import _helper
        import optuna_alias
        assert NSGAIIISampler is albacore.samplers.NSGAIIISampler
        assert BaseGASampler is albacore.samplers.BaseGASampler
        try:
            (lambda: _helper())()  # called in a test, not at a module's top level
        except optuna_alias.MissingPrivateName:
            pass
        else:
            raise SystemExit("a private helper of that module did not stay a placeholder")
        """,
    )
    assert result.returncode == 0, result.stderr


def test_plotting_libraries_imported_from_optunas_private_helpers_are_the_libraries(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        """
        import plotly.graph_objects, matplotlib.pyplot, matplotlib.axes
        from optuna.visualization._plotly_imports import go, _imports as plotly_imports
        from optuna.visualization.matplotlib._matplotlib_imports import plt, Axes
        assert go is plotly.graph_objects
        assert plt is matplotlib.pyplot
        assert Axes is matplotlib.axes.Axes
        assert plotly_imports.is_successful()
        """,
    )
    assert result.returncode == 0, result.stderr


def test_a_missing_private_constant_as_a_dict_key_fails_only_when_used(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        """
        from optuna.study._no_such_module import _KEY
        import optuna_alias
        attrs = {_KEY: [1.0]}  # read when a test module is collected
        try:
            str(next(iter(attrs)).upper())
        except optuna_alias.MissingPrivateName:
            pass
        else:
            raise SystemExit("a placeholder key did not raise when used")
        """,
    )
    assert result.returncode == 0, result.stderr


def test_a_missing_private_record_built_at_module_level_fails_only_when_used(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        """
        from optuna.visualization._no_such_module import _Info, _helper
        import optuna_alias
        cases = [_Info(numbers=[0], values=[0.0])]  # built when a test module is collected
        def a_test():
            return _helper()
        for use in (lambda: cases[0] == 1, a_test):
            try:
                use()
            except optuna_alias.MissingPrivateName:
                pass
            else:
                raise SystemExit("a placeholder record or call inside a test did not raise")
        """,
    )
    assert result.returncode == 0, result.stderr


def test_a_missing_public_module_fails_at_import(tmp_path: Path) -> None:
    result = _run(tmp_path, "import optuna.no_such_public_module")
    assert result.returncode != 0
    assert "ModuleNotFoundError" in result.stderr


def test_patching_through_optuna_patches_albacore(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        """
        from unittest import mock
        import albacore.study
        with mock.patch("optuna.study.create_study", return_value="patched"):
            assert albacore.study.create_study() == "patched"
        assert albacore.study.create_study is not None and callable(albacore.study.create_study)
        """,
    )
    assert result.returncode == 0, result.stderr


def test_patching_an_attribute_of_a_private_module_reaches_the_attribute(tmp_path: Path) -> None:
    # mock.patch resolves "a.b.c.d" by importing as much of it as it can: a module's attribute (the gc module
    # that albacore.study._optimize imports) must not become a placeholder module on the way.
    result = _run(
        tmp_path,
        """
        import gc
        from unittest import mock
        import albacore.study._optimize
        with mock.patch("optuna.study._optimize.gc.collect") as collect:
            gc.collect()
        assert collect.call_count == 1
        """,
    )
    assert result.returncode == 0, result.stderr


def _load_runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("compat_run", HERE / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["compat_run"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_tally_judges_against_the_baseline_and_leaves_out_exclusions() -> None:
    run = _load_runner()
    groups = [run.Group("study", ["tests/study_tests/"], True, 0.95), run.Group("gp", ["tests/gp_tests/"], False, 0.95)]
    baseline = {
        "tests/study_tests/test_a.py::test_1",
        "tests/study_tests/test_a.py::test_2",
        "tests/study_tests/test_b.py::test_3",
        "tests/study_tests/test_c.py::test_private",
        "tests/gp_tests/test_gp.py::test_x",
    }
    outcomes = {
        "tests/study_tests/test_a.py::test_1": "passed",
        "tests/study_tests/test_a.py::test_2": "failed",
        "tests/study_tests/test_b.py::<collection>": "error",
        "tests/study_tests/test_extra.py::test_new": "passed",  # Optuna does not pass it: not judged
    }
    excluded = [("tests/study_tests/test_c.py::*", "checks a private helper")]
    study, gp = run.tally(baseline, outcomes, groups, excluded, [])
    assert (study.optuna_passes, study.excluded, study.albacore_passes) == (4, 1, 1)
    assert study.share == pytest.approx(1 / 3)
    assert dict(study.failures) == {
        "tests/study_tests/test_a.py::test_2": "failed",
        "tests/study_tests/test_b.py::test_3": "collection error",
    }
    assert (gp.optuna_passes, gp.albacore_passes, gp.failures) == (
        1,
        0,
        [("tests/gp_tests/test_gp.py::test_x", "not run")],
    )


def test_every_exclusion_has_a_reason() -> None:
    run = _load_runner()
    for pattern, reason in run.load_excluded():
        assert pattern and len(reason) > 10, pattern


def test_a_counted_group_fails_the_run_only_below_its_floor(capsys: pytest.CaptureFixture[str]) -> None:
    run = _load_runner()
    study = run.Tally(run.Group("study", ["tests/study_tests/"], True, 0.5), optuna_passes=10, albacore_passes=6)
    assert run.print_table([study], 0.95, "5.0.0")
    assert "short of 95%: study" in capsys.readouterr().out
    study.albacore_passes = 4
    assert not run.print_table([study], 0.95, "5.0.0")
    assert "FAILED: below the floor in groups.toml: study (40.0% < 50.0%)" in capsys.readouterr().out
