from sklearn.datasets import load_iris
from sklearn.model_selection import cross_val_score
from sklearn.svm import SVC

import albacore  # or: import albacore as optuna

X, y = load_iris(return_X_y=True)


def objective(trial: albacore.Trial) -> float:
    # Each suggest call both defines a parameter and draws its value for this trial.
    c = trial.suggest_float("C", 1e-3, 1e3, log=True)
    gamma = trial.suggest_float("gamma", 1e-4, 1e1, log=True)
    model = SVC(C=c, gamma=gamma)
    return cross_val_score(model, X, y, cv=3).mean()


study = albacore.create_study(direction="maximize")
study.optimize(objective, n_trials=30)

print(f"best accuracy: {study.best_value:.3f}")
print(f"best parameters: {study.best_params}")
print(f"trial that found them: #{study.best_trial.number}")
assert study.best_value > 0.9
