"""LightGBM integration, usable in place of ``lightgbm``: ``import albacore.integration.lightgbm as lgb``.

``lgb.train`` tunes the parameters stepwise (:class:`LightGBMTuner`) and returns the best booster; ``Dataset``,
``cv``, ``early_stopping``, ``log_evaluation``, ``Booster`` and the rest of LightGBM's public names are
LightGBM's own. Also :class:`LightGBMTunerCV` and :class:`LightGBMPruningCallback`.

Needs ``pip install 'albacore[lightgbm]'`` (LightGBM >= 4.0).
"""

from __future__ import annotations

from albacore._optional import require

_lgb = require("lightgbm", extra="lightgbm", feature="albacore.integration.lightgbm")

from lightgbm import (  # noqa: E402 - only after the check above
    Booster,
    CVBooster,
    Dataset,
    EarlyStopException,
    LGBMClassifier,
    LGBMModel,
    LGBMRanker,
    LGBMRegressor,
    Sequence,
    create_tree_digraph,
    cv,
    early_stopping,
    log_evaluation,
    plot_importance,
    plot_metric,
    plot_split_value_histogram,
    plot_tree,
    record_evaluation,
    register_logger,
    reset_parameter,
)

from albacore.integration._lightgbm_tuner._pruning import LightGBMPruningCallback  # noqa: E402
from albacore.integration._lightgbm_tuner._train import train  # noqa: E402
from albacore.integration._lightgbm_tuner._tuner import LightGBMTuner, LightGBMTunerCV  # noqa: E402

for _public in (LightGBMPruningCallback, LightGBMTuner, LightGBMTunerCV, train):
    _public.__module__ = __name__  # their public home, for reprs and docs

__all__ = [
    "LightGBMTuner",
    "LightGBMTunerCV",
    "LightGBMPruningCallback",
    "train",
    "Dataset",
    "Booster",
    "CVBooster",
    "EarlyStopException",
    "Sequence",
    "cv",
    "early_stopping",
    "log_evaluation",
    "record_evaluation",
    "reset_parameter",
    "register_logger",
    "LGBMModel",
    "LGBMRegressor",
    "LGBMClassifier",
    "LGBMRanker",
    "plot_importance",
    "plot_split_value_histogram",
    "plot_metric",
    "plot_tree",
    "create_tree_digraph",
]
