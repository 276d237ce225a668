"""Optional dependencies: imported where a feature first needs them, with one clear line when missing."""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["MissingDependencyError", "require"]


class MissingDependencyError(ImportError):
    """An optional library that a feature needs is not installed; the message names the extra to install."""


def require(module: str, *, extra: str, feature: str) -> ModuleType:
    """Import ``module`` for ``feature``, or raise one line naming ``pip install 'albacore[extra]'``.

    Args:
        module: The import name, for example ``"plotly.graph_objects"``.
        extra: The albacore extra that installs it, for example ``"plotly"``.
        feature: What needs it, as the user called it, for example ``"plot_contour"``.

    Raises:
        MissingDependencyError: When the module (or a library it needs) cannot be imported.

    Example:
        >>> require("json", extra="none", feature="this example").dumps([1])
        '[1]'
    """
    try:
        return importlib.import_module(module)
    except ImportError as err:
        missing = err.name or module.split(".")[0]
        raise MissingDependencyError(
            f"{feature} needs {missing}, which is not installed: pip install 'albacore[{extra}]'."
        ) from err
