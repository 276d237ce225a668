"""Adapters between albacore and training libraries, under the names Optuna users know.

Code written for ``optuna.integration`` (or the ``optuna_integration`` package) runs unchanged after
``import albacore as optuna``: ``optuna.integration.OptunaSearchCV``, ``optuna.integration.LightGBMTuner``
and the others resolve here.

Nothing heavy is imported by ``import albacore.integration``: each name is looked up the first time it is used,
and only then is its training library imported. A library that is not installed gives one line naming the extra
to install, for example ``pip install 'albacore[lightgbm]'``.

To add an integration: write ``albacore/integration/<module>.py`` (importing its library through
:func:`albacore._optional.require`), then add one row per public name to ``_LAZY_NAMES`` (which is also
``__all__``) and one row for the module to ``_LAZY_MODULES``.

Example:
    >>> import albacore
    >>> albacore.integration.NoSuchName
    Traceback (most recent call last):
    ...
    AttributeError: module 'albacore.integration' has no attribute 'NoSuchName'
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any, NamedTuple

from albacore._optional import require


class _Source(NamedTuple):
    module: str  # albacore.integration.<module> defines the name
    library: str  # the import that must succeed first
    extra: str  # pip install 'albacore[<extra>]' provides the library


# One row per public name; keep each row on one line so that integrations added in parallel merge cleanly.
_LAZY_NAMES: dict[str, _Source] = {
    # "PublicName": _Source("module", "library", "extra"),
    "OptunaSearchCV": _Source("sklearn", "sklearn", "sklearn"),
    "LightGBMPruningCallback": _Source("lightgbm", "lightgbm", "lightgbm"),
    "LightGBMTuner": _Source("lightgbm", "lightgbm", "lightgbm"),
    "LightGBMTunerCV": _Source("lightgbm", "lightgbm", "lightgbm"),
    "XGBoostPruningCallback": _Source("xgboost", "xgboost", "xgboost"),
    "CatBoostPruningCallback": _Source("catboost", "catboost", "catboost"),
    "PyTorchLightningPruningCallback": _Source("pytorch_lightning", "lightning.pytorch", "lightning"),
    "MLflowCallback": _Source("mlflow", "mlflow", "mlflow"),
    "WeightsAndBiasesCallback": _Source("wandb", "wandb", "wandb"),
    "DaskStorage": _Source("dask", "distributed", "dask"),
}

# Submodules reachable as attributes (``albacore.integration.lightgbm``) without importing them first.
_LAZY_MODULES: dict[str, _Source] = {
    # "module": _Source("module", "library", "extra"),
    "sklearn": _Source("sklearn", "sklearn", "sklearn"),
    "lightgbm": _Source("lightgbm", "lightgbm", "lightgbm"),
    "xgboost": _Source("xgboost", "xgboost", "xgboost"),
    "catboost": _Source("catboost", "catboost", "catboost"),
    "pytorch_lightning": _Source("pytorch_lightning", "lightning.pytorch", "lightning"),
    "mlflow": _Source("mlflow", "mlflow", "mlflow"),
    "wandb": _Source("wandb", "wandb", "wandb"),
    "dask": _Source("dask", "distributed", "dask"),
}

__all__ = list(_LAZY_NAMES)


def _load(source: _Source, feature: str) -> ModuleType:
    # Importing the library first turns a missing library into one line naming the extra, before the
    # adapter module (whose own import would fail deeper with a bare ModuleNotFoundError) is touched.
    require(source.library, extra=source.extra, feature=feature)
    return importlib.import_module(f"{__name__}.{source.module}")


def __getattr__(name: str) -> Any:
    if name in _LAZY_NAMES:
        value = getattr(_load(_LAZY_NAMES[name], f"albacore.integration.{name}"), name)
    elif name in _LAZY_MODULES:
        value = _load(_LAZY_MODULES[name], f"albacore.integration.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later lookups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY_NAMES, *_LAZY_MODULES})
