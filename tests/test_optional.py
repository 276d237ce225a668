import pytest

from albacore._optional import MissingDependencyError, require


def test_require_returns_the_module() -> None:
    import json

    assert require("json", extra="none", feature="test") is json


def test_missing_module_names_the_extra_and_the_feature() -> None:
    with pytest.raises(MissingDependencyError, match=r"plot_x needs no_such_lib_xyz.*pip install 'albacore\[plots\]'"):
        require("no_such_lib_xyz.sub", extra="plots", feature="plot_x")


def test_missing_module_is_an_import_error() -> None:
    with pytest.raises(ImportError):
        require("no_such_lib_xyz", extra="plots", feature="plot_x")
