"""``train``: ``lightgbm.train``'s signature, tuned by :class:`LightGBMTuner` before it returns the booster."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import lightgbm as lgb

from albacore.integration._lightgbm_tuner._tuner import LightGBMTuner, StudyCallback
from albacore.study import Study

__all__ = ["train"]


def train(
    params: dict[str, Any],
    train_set: lgb.Dataset,
    num_boost_round: int = 1000,
    valid_sets: list[lgb.Dataset] | tuple[lgb.Dataset, ...] | lgb.Dataset | None = None,
    valid_names: Any | None = None,
    feval: Callable[..., Any] | None = None,
    feature_name: str | None = None,
    categorical_feature: str | None = None,
    keep_training_booster: bool = False,
    callbacks: list[Callable[..., Any]] | None = None,
    time_budget: int | None = None,
    sample_size: int | None = None,
    study: Study | None = None,
    optuna_callbacks: list[StudyCallback] | None = None,
    model_dir: str | None = None,
    *,
    show_progress_bar: bool = True,
    optuna_seed: int | None = None,
) -> lgb.Booster:
    """Tune LightGBM stepwise with :class:`LightGBMTuner` and return the best booster.

    Takes ``lightgbm.train``'s arguments plus the tuner's (see :class:`LightGBMTuner`), so that
    ``import albacore.integration.lightgbm as lgb; lgb.train(params, dtrain, valid_sets=[dval])`` tunes.
    """
    tuner = LightGBMTuner(
        params,
        train_set,
        num_boost_round=num_boost_round,
        valid_sets=valid_sets,
        valid_names=valid_names,
        feval=feval,
        feature_name=feature_name,
        categorical_feature=categorical_feature,
        keep_training_booster=keep_training_booster,
        callbacks=callbacks,
        time_budget=time_budget,
        sample_size=sample_size,
        study=study,
        optuna_callbacks=optuna_callbacks,
        model_dir=model_dir,
        show_progress_bar=show_progress_bar,
        optuna_seed=optuna_seed,
    )
    tuner.run()
    return tuner.get_best_booster()
