"""The pruning advisor on real curves: does its recommendation save epochs at the same best accuracy?

    python benchmarks/bench_pruning_advice.py --lib albacore|optuna [--quick] [--seeds 3] [--trials 60]
        [--models SGDClassifier,MLPClassifier] [--curves-cache DIR]

Two models on scikit-learn's digits, trained epoch by epoch with ``partial_fit`` for 30 epochs, reporting the
validation accuracy after each: ``SGDClassifier`` (the parameters of ``bench_pruning.py``) and a one-hidden-layer
``MLPClassifier`` (width, initial learning rate, L2 penalty, batch size). Per model and seed (3 seeds):

1. a first study of 60 trials runs with the default ``MedianPruner()``, as a user who accepted the defaults;
2. albacore only: ``albacore.pruners.advise`` replays that study and recommends a setting;
3. a fresh study of 60 other trials runs with ``MedianPruner()`` and, albacore only, with the recommendation.

Hyperparameters are drawn with numpy from the seed and enqueued, model seeds are fixed per trial, and learning
curves are computed once and replayed, so every pruner sees identical curves in both libraries; an epoch spent is
one report. Figures: epochs spent by the fresh study and its best validation accuracy, summed / averaged over seeds.

Computing the curves is nearly all of the run's time (the MLP's take tens of minutes per seed on a loaded
2-core machine); ``--curves-cache DIR`` keeps each set of curves in ``DIR`` as JSON, keyed by model, seed,
trials and epochs, so a second run (the other library, or a changed advisor) replays the very same curves
without training again. ``--models`` runs a subset of the models.
"""

from __future__ import annotations

import json
import pathlib
import sys
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from _common import Metric, emit, own_arguments, parse_args
from bench_pruning import digits_split, replay, suggest_sgd
from bench_pruning import draw_params as draw_sgd_params
from bench_pruning import learning_curves as sgd_curves


def draw_mlp_params(seed: int, n_trials: int) -> list[dict[str, Any]]:
    """The MLP's hyperparameters for every trial of one study, drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    return [
        {
            "hidden": int(rng.integers(8, 129)),
            "learning_rate_init": float(10 ** rng.uniform(-4.5, -0.5)),
            "alpha": float(10 ** rng.uniform(-6, -1)),
            "batch_size": int(2 ** rng.integers(4, 9)),
        }
        for _ in range(n_trials)
    ]


def mlp_curves(params: list[dict[str, Any]], n_epochs: int, seed: int) -> list[list[float]]:
    """Validation accuracy after each epoch of ``partial_fit``, for each parameter set."""
    from sklearn.neural_network import MLPClassifier

    x_train, x_val, y_train, y_val, classes = digits_split()
    curves = []
    for number, p in enumerate(params):
        model = MLPClassifier(
            hidden_layer_sizes=(p["hidden"],),
            learning_rate_init=p["learning_rate_init"],
            alpha=p["alpha"],
            batch_size=p["batch_size"],
            random_state=seed * 1000 + number,
        )
        curve = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(n_epochs):
                model.partial_fit(x_train, y_train, classes=classes)
                curve.append(float(model.score(x_val, y_val)))
        curves.append(curve)
    return curves


def _suggest_mlp(trial: Any) -> None:
    trial.suggest_int("hidden", 8, 128)
    trial.suggest_float("learning_rate_init", 10**-4.5, 10**-0.5, log=True)
    trial.suggest_float("alpha", 1e-6, 1e-1, log=True)
    trial.suggest_int("batch_size", 16, 256, log=True)


MODELS: dict[str, tuple[Callable[..., Any], Callable[..., Any], Callable[[Any], None]]] = {
    "SGDClassifier": (draw_sgd_params, sgd_curves, suggest_sgd),
    "MLPClassifier": (draw_mlp_params, mlp_curves, _suggest_mlp),
}


def run_study(
    lib: Any, pruner: Any, params: list[dict[str, Any]], curves: list[list[float]], suggest: Callable[[Any], None]
) -> tuple[Any, int]:
    """One study over enqueued ``params`` replaying ``curves``; returns the study and the epochs it spent."""
    study = lib.create_study(direction="maximize", sampler=lib.samplers.RandomSampler(seed=0), pruner=pruner)
    return study, replay(lib, study, params, curves, suggest)


def cached_curves(
    learn: Callable[..., Any], cache: str | None, model: str
) -> Callable[[list[dict[str, Any]], int, int], list[list[float]]]:
    """``learn``, reading and writing its curves in the directory ``cache`` when one is given."""

    def curves(params: list[dict[str, Any]], n_epochs: int, seed: int) -> list[list[float]]:
        if cache is None:
            return learn(params, n_epochs, seed)  # type: ignore[no-any-return]
        path = pathlib.Path(cache) / f"{model}-{seed}-{len(params)}-{n_epochs}.json"
        if path.exists():
            return json.loads(path.read_text())  # type: ignore[no-any-return]
        result = learn(params, n_epochs, seed)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result))
        return result  # type: ignore[no-any-return]

    return curves


def main() -> None:
    own = own_arguments("seeds", "trials", **{"models": ",".join(MODELS), "curves-cache": ""})
    lib, quick, args = parse_args(__doc__ or "")
    warnings.simplefilter("ignore")
    seeds = list(range(own.seeds or (1 if quick else 3)))
    n_trials = own.trials or (12 if quick else 60)
    n_epochs = 6 if quick else 30
    metrics = []
    for model in own.models.split(","):
        draw, learn_fresh, suggest = MODELS[model]
        learn = cached_curves(learn_fresh, own.curves_cache or None, model)
        spent = {"median": 0, "advised": 0}
        best = {"median": 0.0, "advised": 0.0}
        for seed in seeds:
            history_params = draw(seed, n_trials)
            history, _ = run_study(
                lib, lib.pruners.MedianPruner(), history_params, learn(history_params, n_epochs, seed), suggest
            )
            fresh_params = draw(seed + 100, n_trials)
            fresh_curves = learn(fresh_params, n_epochs, seed + 100)
            settings = {"median": lib.pruners.MedianPruner()}
            if args.lib == "albacore":
                advice = lib.pruners.advise(history)
                saved = advice.recommended.saved_share if advice.recommended else 0.0
                sys.stderr.write(f"{model} seed {seed}: {advice.code} (saves {saved:.0%} in the replay)\n")
                settings["advised"] = eval(advice.code.removeprefix("pruner="), {"albacore": lib})
            for name, pruner in settings.items():
                study, epochs = run_study(lib, pruner, fresh_params, fresh_curves, suggest)
                spent[name] += epochs
                best[name] += float(study.best_value) / len(seeds)
                sys.stderr.write(f"{model} seed {seed} {name}: {epochs} epochs, best {study.best_value:.4f}\n")
        for name in ("median", "advised") if args.lib == "albacore" else ("median",):
            label = "MedianPruner()" if name == "median" else "advised pruner"
            metrics.append(
                Metric(f"{model} {label}: epochs spent, {len(seeds)} seed(s)", spent[name], "epochs", "lower")
            )
            metrics.append(Metric(f"{model} {label}: best val accuracy, mean", best[name], "accuracy", "higher"))
    emit(metrics)


if __name__ == "__main__":
    main()
