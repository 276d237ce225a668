"""A gallery of every plot: tune an SGD classifier on scikit-learn's digits, then draw the study.

The single-objective study has pruning (learning curves), a conditional parameter (``l1_ratio`` only for the
elastic net), log-scaled, integer and categorical parameters, and a constraint (a model size budget). A second,
two-objective study (error against model size) has the same constraint. Every plot is written as interactive
HTML (plotly) and as PNG: through kaleido when it can export (it needs a Chrome or Chromium on the machine:
``pip install 'albacore[kaleido]'``), otherwise drawn with matplotlib.

    python examples/plots.py [--trials 60] [--out albacore-plots]
"""

from __future__ import annotations

import argparse
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import albacore

EPOCHS = 12
SIZE_BUDGET = 0.6  # share of non-zero weights a model may keep; trials above it are infeasible


def make_objective(*, two_objectives: bool) -> Callable[[albacore.Trial], Any]:
    """An objective that trains for EPOCHS epochs, reporting validation error after each (pruned if poor)."""
    x, y = load_digits(return_X_y=True)
    x_train, x_valid, y_train, y_valid = train_test_split(x, y, test_size=0.25, random_state=0, stratify=y)
    scaler = StandardScaler().fit(x_train)
    x_train, x_valid = scaler.transform(x_train), scaler.transform(x_valid)
    classes = np.unique(y)

    def objective(trial: albacore.Trial) -> Any:
        penalty = trial.suggest_categorical("penalty", ["l2", "l1", "elasticnet"])
        l1_ratio = trial.suggest_float("l1_ratio", 0.0, 1.0) if penalty == "elasticnet" else 0.15
        clf = SGDClassifier(
            loss=trial.suggest_categorical("loss", ["hinge", "log_loss", "modified_huber"]),
            alpha=trial.suggest_float("alpha", 1e-6, 1e-1, log=True),
            penalty=penalty,
            l1_ratio=l1_ratio,
            learning_rate="adaptive",
            eta0=trial.suggest_float("eta0", 1e-4, 1.0, log=True),
            random_state=trial.suggest_int("seed", 0, 3),
        )
        error = 1.0
        for epoch in range(EPOCHS):
            clf.partial_fit(x_train, y_train, classes=classes)
            error = 1.0 - float(clf.score(x_valid, y_valid))
            if not two_objectives:
                trial.report(error, epoch)
                if trial.should_prune():
                    raise albacore.TrialPruned()
        size = float(np.mean(np.abs(clf.coef_) > 1e-8))
        trial.set_constraint("size_budget", size - SIZE_BUDGET)
        return (error, size) if two_objectives else error

    return objective


def save(figure: Any, stem: Path, fallback: Callable[[], Any], *, static: bool) -> list[str]:
    """Write ``stem``.html, and ``stem``.png through kaleido or, failing that, the matplotlib twin."""
    figure.write_html(f"{stem}.html", include_plotlyjs="cdn")
    written = [f"{stem.name}.html"]
    if static:
        try:
            figure.write_image(f"{stem}.png", width=900, height=600)
            return [*written, f"{stem.name}.png (kaleido)"]
        except Exception:  # noqa: BLE001 - kaleido missing or without a browser: draw the PNG with matplotlib instead
            pass
    import matplotlib.pyplot as plt

    drawn = fallback()
    axes = np.atleast_1d(drawn).ravel()
    axes[0].figure.savefig(f"{stem}.png", dpi=90, bbox_inches="tight")
    plt.close("all")
    return [*written, f"{stem.name}.png (matplotlib)"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=60)
    parser.add_argument("--out", default="albacore-plots")
    parser.add_argument("--no-kaleido", action="store_true", help="draw every PNG with matplotlib")
    args = parser.parse_args()

    import matplotlib

    matplotlib.use("Agg")
    import albacore.visualization as vis
    import albacore.visualization.matplotlib as mvis

    albacore.logging.set_verbosity(albacore.logging.WARNING)
    warnings.filterwarnings("ignore", category=UserWarning, module="sklearn")
    # The conditional l1_ratio is sampled apart from the joint space; TPE says so each time, which is expected here.
    warnings.filterwarnings("ignore", message=".*independently")
    sampler = albacore.samplers.TPESampler(seed=0)
    single = albacore.create_study(study_name="digits", sampler=sampler, pruner=albacore.pruners.MedianPruner())
    single.optimize(make_objective(two_objectives=False), n_trials=args.trials)
    multi = albacore.create_study(
        study_name="digits-size", directions=["minimize", "minimize"], sampler=albacore.samplers.TPESampler(seed=1)
    )
    multi.set_metric_names(["error", "size"])
    multi.optimize(make_objective(two_objectives=True), n_trials=args.trials)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    gallery: list[tuple[str, Callable[[Any], Any]]] = [
        ("optimization_history", lambda m: m.plot_optimization_history(single)),
        ("intermediate_values", lambda m: m.plot_intermediate_values(single)),
        ("parallel_coordinate", lambda m: m.plot_parallel_coordinate(single)),
        ("contour", lambda m: m.plot_contour(single, params=["alpha", "eta0", "l1_ratio"])),
        ("slice", lambda m: m.plot_slice(single)),
        ("param_importances", lambda m: m.plot_param_importances(single)),
        ("edf", lambda m: m.plot_edf(single)),
        ("rank", lambda m: m.plot_rank(single, params=["alpha", "eta0", "loss"])),
        ("timeline", lambda m: m.plot_timeline(single)),
        ("pareto_front", lambda m: m.plot_pareto_front(multi)),
        ("hypervolume_history", lambda m: m.plot_hypervolume_history(multi, reference_point=[1.0, 1.0])),
        ("parallel_coordinate_two_objectives", lambda m: m.plot_parallel_coordinate(multi)),
    ]
    for name, draw in gallery:
        written = save(draw(vis), out / name, lambda draw=draw: draw(mvis), static=not args.no_kaleido)
        print(f"{name}: {', '.join(written)}")
    print(f"best error {single.best_value:.4f} with {single.best_params}; files in {out}/")


if __name__ == "__main__":
    main()
