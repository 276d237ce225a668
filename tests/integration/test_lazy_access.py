"""``albacore.integration`` resolves names on first use and names the extra when a library is missing."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import types
from collections.abc import Iterator

import pytest

import albacore
import albacore.integration as integration
from albacore._optional import MissingDependencyError

_FAKE = "albacore.integration._fake_adapter"


@pytest.fixture
def fake_adapter(monkeypatch: pytest.MonkeyPatch) -> Iterator[types.ModuleType]:
    # A stand-in adapter module: import_module finds it in sys.modules, so no file is needed.
    module = types.ModuleType(_FAKE)
    module.FakeCallback = type("FakeCallback", (), {})  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, _FAKE, module)
    present = integration._Source("_fake_adapter", "json", "fake")
    missing = integration._Source("_fake_adapter", "no_such_lib_xyz", "nolib")
    monkeypatch.setitem(integration._LAZY_NAMES, "FakeCallback", present)
    monkeypatch.setitem(integration._LAZY_NAMES, "MissingCallback", missing)
    monkeypatch.setitem(integration._LAZY_MODULES, "_fake_adapter", present)
    yield module
    for name in ("FakeCallback", "MissingCallback", "_fake_adapter"):
        vars(integration).pop(name, None)


def test_integration_is_reachable_from_the_top_level_like_optuna() -> None:
    assert albacore.integration is integration
    assert "integration" in albacore.__all__


def test_a_name_resolves_to_its_adapter_and_is_cached(fake_adapter: types.ModuleType) -> None:
    assert integration.FakeCallback is fake_adapter.FakeCallback  # type: ignore[attr-defined]
    assert vars(integration)["FakeCallback"] is fake_adapter.FakeCallback  # type: ignore[attr-defined]
    assert "FakeCallback" in dir(integration)


def test_a_submodule_resolves_as_an_attribute(fake_adapter: types.ModuleType) -> None:
    assert integration._fake_adapter is fake_adapter  # type: ignore[attr-defined]


def test_a_missing_library_names_the_extra_and_the_feature(fake_adapter: types.ModuleType) -> None:
    with pytest.raises(MissingDependencyError) as info:
        integration.MissingCallback  # type: ignore[attr-defined]  # noqa: B018 - the access is the test
    message = str(info.value)
    assert "\n" not in message
    assert "albacore.integration.MissingCallback" in message
    assert "pip install 'albacore[nolib]'" in message
    assert "MissingCallback" not in vars(integration)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchName"):
        integration.NoSuchName  # type: ignore[attr-defined]  # noqa: B018 - the access is the test
    assert not hasattr(integration, "NoSuchName")


def test_every_listed_name_comes_from_its_own_adapter() -> None:
    assert sorted(integration.__all__) == sorted(integration._LAZY_NAMES)
    for name, source in integration._LAZY_NAMES.items():
        if importlib.util.find_spec(source.library) is None:
            continue  # its extra is not installed here; the missing-library test covers this path
        value = getattr(integration, name)
        assert value.__module__.startswith(f"albacore.integration.{source.module}"), name


def test_importing_the_package_imports_no_training_library() -> None:
    libraries = sorted({source.library.split(".")[0] for source in integration._LAZY_NAMES.values()})
    code = f"import sys, albacore.integration; print([m for m in {libraries!r} if m in sys.modules])"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"
