"""One way to say that a name is deprecated: a FutureWarning naming the release that removes it and the new way."""

from __future__ import annotations

import warnings

__all__ = ["warn_deprecated"]


def warn_deprecated(
    name: str, *, since: str, removed_in: str, instead: str, stacklevel: int = 3, see: str | None = None
) -> None:
    """Warn that ``name`` is deprecated (as Optuna ``since``; albacore removes it with Optuna ``removed_in``).

    ``see`` names where the deprecation is explained (Optuna users search for these addresses).

    Example:
        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     warn_deprecated("old()", since="3.0.0", removed_in="6.0.0", instead="new()")
        >>> print(caught[0].message)
        old() is deprecated since v3.0.0 and goes away in v6.0.0; use new() instead.
    """
    text = f"{name} is deprecated since v{since} and goes away in v{removed_in}; use {instead} instead."
    if see is not None:
        text += f" See {see} for why."
    warnings.warn(
        text,
        FutureWarning,
        stacklevel=stacklevel,
    )
