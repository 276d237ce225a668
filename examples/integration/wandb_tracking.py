"""Track a study in Weights & Biases: tune a ridge regression on scikit-learn's diabetes data.

python examples/integration/wandb_tracking.py [--trials 20] [--online] [--multirun]

Runs offline by default (W&B writes to ./wandb; ``wandb sync`` uploads later); ``--online`` needs ``wandb login``.
With ``--multirun`` every trial is its own W&B run, which W&B's sweep panels understand.
"""

from __future__ import annotations

import argparse

import wandb
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge
from sklearn.model_selection import cross_val_score

import albacore as optuna


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--online", action="store_true")
    parser.add_argument("--multirun", action="store_true")
    args = parser.parse_args()
    x, y = load_diabetes(return_X_y=True)
    wandb_kwargs = {"project": "albacore-diabetes", "mode": "online" if args.online else "offline"}
    tracking = optuna.integration.WeightsAndBiasesCallback(
        metric_name="neg_mse", wandb_kwargs=wandb_kwargs, as_multirun=args.multirun
    )

    @tracking.track_in_wandb()
    def objective(trial: optuna.Trial) -> float:
        model = Ridge(alpha=trial.suggest_float("alpha", 1e-4, 1e3, log=True))
        scores = cross_val_score(model, x, y, cv=5, scoring="neg_mean_squared_error")
        wandb.log({"fold_spread": float(scores.std())})  # the trial's run (or the study's run)
        return float(scores.mean())

    study = optuna.create_study(study_name="diabetes-ridge", direction="maximize")
    study.optimize(objective, n_trials=args.trials, callbacks=[tracking])
    if wandb.run is not None:
        wandb.finish()
    print(f"best negative MSE {study.best_value:.2f} with {study.best_params}")


if __name__ == "__main__":
    main()
