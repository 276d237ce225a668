"""The two programs our users already write (from the seed text) run verbatim with ``import albacore as optuna``."""

from __future__ import annotations

import random

import albacore as optuna


def create_model(n_layers: int, learning_rate: float) -> dict[str, float]:
    return {"n_layers": n_layers, "learning_rate": learning_rate, "progress": 0.0}


def train_and_evaluate(model: dict[str, float]) -> float:
    # Accuracy peaks near 3 layers and a learning rate of 1e-3.
    import math

    return 1.0 - 0.05 * abs(model["n_layers"] - 3) - 0.02 * abs(math.log10(model["learning_rate"]) + 3)


def train_epoch(model: dict[str, float]) -> float:
    model["progress"] += 1.0
    return train_and_evaluate(model) * (1.0 - 0.5 ** model["progress"]) + random.random() * 0.01


def test_define_by_run_program_runs_verbatim() -> None:
    def objective(trial):  # type: ignore[no-untyped-def]
        # Ask Optuna to suggest a value for a hyperparameter.
        n_layers = trial.suggest_int("n_layers", 1, 5)
        learning_rate = trial.suggest_float("learning_rate", 1e-5, 1e-2, log=True)
        # ... Build your model using these values ...
        model = create_model(n_layers, learning_rate)
        # ... Train your model and evaluate it ...
        accuracy = train_and_evaluate(model)
        # Return the metric you want to minimize or maximize.
        return accuracy

    # Create a study and run the optimization.
    study = optuna.create_study(direction="maximize")
    study.optimize(objective, n_trials=100)
    print(f"Best trial: {study.best_trial.value}")
    print(f"Best params: {study.best_trial.params}")

    assert len(study.trials) == 100
    assert study.best_trial.value == max(t.value for t in study.trials)
    assert set(study.best_trial.params) == {"n_layers", "learning_rate"}


def test_pruning_program_runs_verbatim() -> None:
    def objective_with_pruning(trial):  # type: ignore[no-untyped-def]
        n_layers = trial.suggest_int("n_layers", 1, 5)
        learning_rate = trial.suggest_float("learning_rate", 1e-5, 1e-2, log=True)
        model = create_model(n_layers, learning_rate)
        # Let's say we train for 10 epochs, but we want to check for pruning after each.
        for epoch in range(10):
            accuracy = train_epoch(model)  # Your function to train for one epoch
            # Report the current score and ask if we should prune.
            trial.report(accuracy, epoch)
            # Handle pruning based on the intermediate value.
            if trial.should_prune():
                # This raises a built-in exception to cleanly stop the trial.
                raise optuna.exceptions.TrialPruned()
        return accuracy

    # You MUST use a pruner when creating the study for this to work.
    study = optuna.create_study(
        direction="maximize",
        pruner=optuna.pruners.MedianPruner(),  # A good default pruner
    )
    study.optimize(objective_with_pruning, n_trials=50)

    states = [t.state for t in study.trials]
    assert len(states) == 50
    assert states.count(optuna.trial.TrialState.PRUNED) > 0
    assert states.count(optuna.trial.TrialState.COMPLETE) >= 5
    pruned = [t for t in study.trials if t.state == optuna.trial.TrialState.PRUNED]
    assert all(len(t.intermediate_values) < 10 for t in pruned)
