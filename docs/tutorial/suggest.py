import math

import albacore


def objective(trial: albacore.Trial) -> float:
    # Floats: a uniform range, a log-scaled one (orders of magnitude), or a grid with a step.
    dropout = trial.suggest_float("dropout", 0.0, 0.5)
    learning_rate = trial.suggest_float("learning_rate", 1e-5, 1e-1, log=True)
    momentum = trial.suggest_float("momentum", 0.0, 0.99, step=0.01)
    # Integers: plain, with a step, or log-scaled.
    n_layers = trial.suggest_int("n_layers", 1, 4)
    batch_size = trial.suggest_int("batch_size", 16, 256, step=16)
    n_units = trial.suggest_int("n_units", 8, 1024, log=True)
    # Categorical choices: any mix of None, bool, int, float and str.
    activation = trial.suggest_categorical("activation", ["relu", "tanh", "gelu"])

    # A made-up score: the best learning rate is 1e-3, the best dropout 0.2.
    return (
        abs(math.log10(learning_rate) + 3)
        + abs(dropout - 0.2)
        + 0.01 * n_layers
        + 1e-4 * (batch_size + n_units)
        + 0.1 * (activation != "gelu")
        + 0.01 * (1 - momentum)
    )


study = albacore.create_study()
study.optimize(objective, n_trials=40)
print(study.best_params)

# A trial's distributions record what each suggest call asked for.
for name, distribution in study.best_trial.distributions.items():
    print(f"{name:14} {distribution}")
