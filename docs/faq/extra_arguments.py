import functools

from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge
from sklearn.model_selection import cross_val_score

import albacore

X, y = load_diabetes(return_X_y=True)


def objective(trial: albacore.Trial, X, y, cv: int) -> float:
    alpha = trial.suggest_float("alpha", 1e-4, 1e2, log=True)
    return cross_val_score(Ridge(alpha=alpha), X, y, cv=cv, scoring="r2").mean()


study = albacore.create_study(direction="maximize")

# 1. A lambda that closes over the arguments.
study.optimize(lambda trial: objective(trial, X, y, cv=3), n_trials=3)

# 2. functools.partial.
study.optimize(functools.partial(objective, X=X, y=y, cv=3), n_trials=3)


# 3. A callable object, which can also hold state between trials (read-only state is safest).
class Objective:
    def __init__(self, X, y, cv: int) -> None:
        self.X, self.y, self.cv = X, y, cv

    def __call__(self, trial: albacore.Trial) -> float:
        return objective(trial, self.X, self.y, self.cv)


study.optimize(Objective(X, y, cv=3), n_trials=3)
print(len(study.trials), "trials, best alpha", study.best_params["alpha"])
