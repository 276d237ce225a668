"""Import hook of the compatibility harness: ``import optuna`` gives albacore, for Optuna's own test suite.

- ``optuna.X.Y`` is albacore's ``albacore.X.Y``: the same module object, so ``mock.patch("optuna.X.Y.f")``
  patches albacore itself. ``optuna_integration.X`` is ``albacore.integration.X``.
- ``optuna.testing.*`` and ``optuna._imports`` stay Optuna's: they are loaded from the unpacked sdist named by
  ``ALBACORE_COMPAT_OPTUNA_SRC``, and reach albacore through this hook like the tests do.
- A private name albacore does not have (a module or attribute whose dotted path has a part starting with
  ``_``, so any name inside a private module) resolves to a placeholder that raises :class:`MissingPrivateName`
  when used, so one such import fails only the tests that use it, not its whole file. Missing public names fail
  as they would for a user.

- A few public classes are imported by Optuna's tests from the private module that defines them
  (``from optuna.samplers._nsgaiii._sampler import NSGAIIISampler``): :data:`PUBLIC_NAMES_AT_PRIVATE_PATHS` maps
  those paths to albacore's public names, so such a test runs against the public class. Only public names of
  Optuna's API belong there; private helpers stay placeholders.

Nothing here is part of albacore: it lives in the test harness and runs only when the harness installs it.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import types
from collections.abc import Sequence
from typing import Any

_TARGETS = {"optuna": "albacore", "optuna_integration": "albacore.integration"}
_OPTUNA_OWN = ("optuna.testing", "optuna._imports")


PUBLIC_NAMES_AT_PRIVATE_PATHS = {
    "optuna.samplers._nsgaiii._sampler.NSGAIIISampler": "albacore.samplers.NSGAIIISampler",
    "optuna.samplers._ga._base.BaseGASampler": "albacore.samplers.BaseGASampler",
    "optuna.samplers._ga.BaseGASampler": "albacore.samplers.BaseGASampler",
}


# Optuna's plotting tests take plotly and matplotlib from Optuna's private import helpers; the objects there are
# the libraries' own public ones, so the tests get them straight from the libraries.
THIRD_PARTY_AT_PRIVATE_PATHS = {
    "optuna.visualization._plotly_imports.go": "plotly.graph_objects",
    "optuna.visualization.matplotlib._matplotlib_imports.plt": "matplotlib.pyplot",
    "optuna.visualization.matplotlib._matplotlib_imports.Axes": "matplotlib.axes.Axes",
    "optuna.visualization.matplotlib._matplotlib_imports.Figure": "matplotlib.figure.Figure",
    "optuna.visualization.matplotlib._matplotlib_imports.LineCollection": "matplotlib.collections.LineCollection",
}
_IMPORT_GUARDS = (
    "optuna.visualization._plotly_imports._imports",
    "optuna.visualization.matplotlib._matplotlib_imports._imports",
)


class _ImportsSucceeded:
    """Stands in for Optuna's record of an optional import: the harness runs with the library installed."""

    def is_successful(self) -> bool:
        return True

    def check(self) -> None:
        return None


def _resolve(target: str) -> Any:
    try:
        return importlib.import_module(target)
    except ModuleNotFoundError:
        module, _, attr = target.rpartition(".")
        return getattr(importlib.import_module(module), attr)


def _public_name(dotted: str) -> Any:
    """The public object behind a name that Optuna's tests import from a private path, or None."""
    if dotted in _IMPORT_GUARDS:
        return _ImportsSucceeded()
    target = PUBLIC_NAMES_AT_PRIVATE_PATHS.get(dotted) or THIRD_PARTY_AT_PRIVATE_PATHS.get(dotted)
    return None if target is None else _resolve(target)


class MissingPrivateName(AssertionError):
    """A test used an Optuna-private name that albacore does not have."""


class _Placeholder:
    """Stands in for a missing private name; any use raises :class:`MissingPrivateName`."""

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_name", name)

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        raise MissingPrivateName(f"albacore has no {object.__getattribute__(self, '_name')} (Optuna-private)")

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        return self._fail()

    __iter__ = __getitem__ = __len__ = __bool__ = __enter__ = __setattr__ = _fail

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # A missing private record built at the top level of a test module (``_Info(...)`` in a parametrize
        # list) is built when the module is collected: give back another placeholder there, so only the tests
        # that use it fail. A call from inside a function (a test) fails at once.
        if sys._getframe(1).f_code.co_name == "<module>":
            return _Placeholder(object.__getattribute__(self, "_name"))
        return self._fail()

    __eq__ = __lt__ = __le__ = __gt__ = __ge__ = __contains__ = __float__ = __int__ = _fail

    def __hash__(self) -> int:
        # A missing private constant used as a dict key in a parametrize list is read when the module is
        # collected: hashing it lets the other tests of that module run; the tests that use the key fail.
        return hash(object.__getattribute__(self, "_name"))

    def _derived(self, *args: Any) -> Any:
        # Arithmetic on a missing private constant (``_COEF * 2.5`` in a parametrize list) happens when a test
        # module is collected: give back another placeholder, so only the tests that use the result fail.
        return _Placeholder(object.__getattribute__(self, "_name"))

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _derived
    __neg__ = __pos__ = __pow__ = __rpow__ = _derived

    def __repr__(self) -> str:
        return f"<missing {object.__getattribute__(self, '_name')}>"

    def __mro_entries__(self, bases: tuple[Any, ...]) -> tuple[type, ...]:
        self._fail()
        return ()


def _is_private(dotted: str) -> bool:
    return any(part.startswith("_") for part in dotted.split("."))


def _with_placeholders(module: types.ModuleType, alias: str) -> None:
    """Give ``module`` a module ``__getattr__`` that answers a missing private name with a placeholder."""
    if getattr(module, "__compat_placeholders__", False):
        return
    previous = module.__dict__.get("__getattr__")
    private_module = _is_private(alias)

    def __getattr__(attr: str) -> Any:
        if previous is not None:
            try:
                return previous(attr)
            except AttributeError:
                pass
        dunder = attr.startswith("__") and attr.endswith("__")
        public = _public_name(f"{alias}.{attr}")
        if public is not None:
            return public
        if not dunder and (attr.startswith("_") or private_module):
            return _Placeholder(f"{alias}.{attr}")
        raise AttributeError(f"module {module.__name__!r} has no attribute {attr!r}")

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    module.__compat_placeholders__ = True  # type: ignore[attr-defined]


class _PlaceholderModule(types.ModuleType):
    """A private module albacore does not have: every attribute is a placeholder."""

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        public = _public_name(f"{self.__name__}.{attr}")
        return public if public is not None else _Placeholder(f"{self.__name__}.{attr}")


class _TopLevel(types.ModuleType):
    """``optuna`` itself: its own namespace (so ``optuna.testing`` does not overwrite ``albacore.testing``),
    reading through to ``albacore`` for everything else."""

    def __init__(self, name: str, target: types.ModuleType) -> None:
        super().__init__(name, target.__doc__)
        self.__path__: list[str] = []
        self.__target = target

    def __getattr__(self, attr: str) -> Any:
        try:
            return getattr(self.__target, attr)
        except AttributeError:
            if attr.startswith("_") and not attr.startswith("__"):
                return _Placeholder(f"{self.__name__}.{attr}")
            raise


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, module: types.ModuleType) -> None:
        self._module = module

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return self._module

    def exec_module(self, module: types.ModuleType) -> None:
        return None


class _AliasFinder(importlib.abc.MetaPathFinder):
    def __init__(self, optuna_src: str) -> None:
        self._optuna_src = optuna_src

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        top = fullname.split(".")[0]
        if top not in _TARGETS:
            return None
        if any(fullname == own or fullname.startswith(own + ".") for own in _OPTUNA_OWN):
            return self._optuna_own(fullname)
        target_name = _TARGETS[top] + fullname[len(top) :]
        if fullname == "optuna":
            module: types.ModuleType = _TopLevel(fullname, importlib.import_module(target_name))
            return importlib.machinery.ModuleSpec(fullname, _AliasLoader(module), is_package=True)
        try:
            module = importlib.import_module(target_name)
        except ModuleNotFoundError as err:
            missing = err.name or target_name
            if not (target_name == missing or target_name.startswith(missing + ".")):
                raise  # albacore itself failed to import something: that is a real error
            if not _is_private(fullname):
                return None  # a public module albacore lacks: fail as a user would see it
            parent, _, last = target_name.rpartition(".")
            if last in getattr(sys.modules.get(parent), "__dict__", {}):
                # An attribute, not a module (``optuna.study._optimize.gc``): say there is no such module, so
                # that ``mock.patch``'s name resolution goes on to read the attribute.
                return None
            module = _PlaceholderModule(fullname)
            module.__path__ = []
        else:
            _with_placeholders(module, fullname)
            if not hasattr(module, "__path__"):
                # Optuna has packages where albacore has plain modules (optuna.samplers.nsgaii, ...): let their
                # submodules be looked up here, so a missing private one becomes a placeholder.
                module.__path__ = []
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(module), is_package=True)

    def _optuna_own(self, fullname: str) -> importlib.machinery.ModuleSpec | None:
        base = os.path.join(self._optuna_src, *fullname.split("."))
        if os.path.isdir(base):
            return importlib.util.spec_from_file_location(
                fullname, os.path.join(base, "__init__.py"), submodule_search_locations=[base]
            )
        if os.path.isfile(base + ".py"):
            return importlib.util.spec_from_file_location(fullname, base + ".py")
        return None


def install() -> None:
    """Put the hook first on ``sys.meta_path`` (once)."""
    source = os.environ.get("ALBACORE_COMPAT_OPTUNA_SRC")
    if not source:
        raise RuntimeError("set ALBACORE_COMPAT_OPTUNA_SRC to the unpacked Optuna sdist")
    if not any(isinstance(finder, _AliasFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _AliasFinder(source))
