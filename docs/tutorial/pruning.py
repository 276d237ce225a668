import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split

import albacore

X, y = load_digits(return_X_y=True)
X_train, X_valid, y_train, y_valid = train_test_split(X / 16.0, y, test_size=0.25, random_state=0)
classes = np.unique(y)


def objective(trial: albacore.Trial) -> float:
    alpha = trial.suggest_float("alpha", 1e-6, 1e-1, log=True)
    model = SGDClassifier(alpha=alpha, random_state=trial.number)
    accuracy = 0.0
    for epoch in range(10):
        model.partial_fit(X_train, y_train, classes=classes)
        accuracy = model.score(X_valid, y_valid)
        trial.report(accuracy, step=epoch)  # the intermediate value at this step
        if trial.should_prune():  # the pruner compares it with other trials at the same step
            raise albacore.TrialPruned()
    return accuracy


pruner = albacore.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=2)
study = albacore.create_study(direction="maximize", pruner=pruner)
study.optimize(objective, n_trials=30)

states = [t.state.name for t in study.trials]
print({state: states.count(state) for state in set(states)})
print(f"best accuracy {study.best_value:.3f} with alpha={study.best_params['alpha']:.2e}")
