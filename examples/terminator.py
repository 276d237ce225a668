"""Stop tuning when the model can no longer get measurably better: the terminator on a cross-validated SVM.

Tunes an RBF support vector classifier on scikit-learn's bundled breast-cancer data with 5-fold cross-validation.
Each trial reports its fold scores with ``report_cross_validation_scores``; after every trial,
``TerminatorCallback`` compares a Gaussian-process bound on how much better the best trial could still get
(``RegretBoundEvaluator``) with the cross-validation error of the best trial. Once the room left is smaller than
that error, more trials would only chase noise, and the study stops well before its budget.

    python examples/terminator.py [--trials 100] [--seed 0] [--plot terminator.html]

``--plot`` writes ``plot_terminator_improvement`` (the bound and the error after every trial) to an HTML file
(needs plotly: ``pip install 'albacore[plotly]'``).
"""

from __future__ import annotations

import argparse

from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import albacore
from albacore.terminator import TerminatorCallback, report_cross_validation_scores


def main(argv: list[str] | None = None) -> albacore.Study:
    """Run the example; return the study (stopped by the terminator or at the budget)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=100, help="the budget: the most trials to run")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", help="write the terminator improvement plot to this HTML file")
    args = parser.parse_args(argv)

    x, y = load_breast_cancer(return_X_y=True)
    folds = KFold(n_splits=5, shuffle=True, random_state=args.seed)

    def objective(trial: albacore.Trial) -> float:
        model = make_pipeline(
            StandardScaler(),
            SVC(
                C=trial.suggest_float("C", 1e-3, 1e3, log=True), gamma=trial.suggest_float("gamma", 1e-5, 1e1, log=True)
            ),
        )
        scores = cross_val_score(model, x, y, cv=folds)
        report_cross_validation_scores(trial, scores)
        return float(scores.mean())

    albacore.logging.set_verbosity(albacore.logging.WARNING)
    study = albacore.create_study(direction="maximize", sampler=albacore.samplers.GPSampler(seed=args.seed))
    study.optimize(objective, n_trials=args.trials, callbacks=[TerminatorCallback()])
    stopped_early = len(study.trials) < args.trials
    print(
        f"{'Stopped by the terminator' if stopped_early else 'Ran the whole budget'} after {len(study.trials)} of "
        f"{args.trials} trials; best accuracy {study.best_value:.4f} with {study.best_params}."
    )
    if args.plot:
        figure = albacore.visualization.plot_terminator_improvement(study, plot_error=True)
        figure.write_html(args.plot)
        print(f"Wrote {args.plot}.")
    return study


if __name__ == "__main__":
    main()
