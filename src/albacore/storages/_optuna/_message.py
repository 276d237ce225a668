"""The message albacore gives when it is pointed at a storage that Optuna wrote."""

from __future__ import annotations

__all__ = ["optuna_storage_message"]


def optuna_storage_message(url: str, what: str, *, database: bool) -> str:
    """Say that ``url`` is an Optuna storage (``what`` describes it) and name the ways forward.

    Example:
        >>> print(optuna_storage_message("sqlite:///o.db", "schema revision 'v3.2.0.a'", database=True))
        ... # doctest: +ELLIPSIS
        The storage sqlite:///o.db is an Optuna storage (schema revision 'v3.2.0.a')...
    """
    lines = [
        f"The storage {url} is an Optuna storage ({what}), which albacore does not open as it is: albacore keeps "
        "its studies in a layout of its own. Two ways forward:",
        "  - copy its studies into an albacore storage, leaving this one untouched (Optuna can still use it):",
        f"      albacore storage import --from {url} --to sqlite:///albacore.db",
    ]
    if database:
        lines += [
            "  - or convert this database in place (back it up first: Optuna can no longer open it afterwards):",
            f"      albacore storage upgrade --storage {url} --from-optuna --yes",
        ]
    else:
        lines += [
            "  - or import it into a new albacore journal and point your workers there:",
            f"      albacore storage import --from {url} --to journal:///path/to/albacore.log",
        ]
    return "\n".join(lines)
