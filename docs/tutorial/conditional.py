from sklearn.datasets import load_wine
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import albacore

X, y = load_wine(return_X_y=True)


def objective(trial: albacore.Trial) -> float:
    classifier = trial.suggest_categorical("classifier", ["logistic", "forest"])
    if classifier == "logistic":
        # These parameters exist only in trials that chose the logistic regression.
        c = trial.suggest_float("logistic_C", 1e-3, 1e2, log=True)
        model = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=500))
    else:
        max_depth = trial.suggest_int("forest_max_depth", 2, 16, log=True)
        n_estimators = trial.suggest_int("forest_n_estimators", 5, 20, step=5)
        model = RandomForestClassifier(max_depth=max_depth, n_estimators=n_estimators, random_state=0)
    return cross_val_score(model, X, y, cv=3).mean()


study = albacore.create_study(direction="maximize", sampler=albacore.samplers.TPESampler(seed=0))
study.optimize(objective, n_trials=15)
print(study.best_params)

# Trials carry only the parameters their branch suggested.
for trial in study.trials[:4]:
    print(trial.number, sorted(trial.params))
