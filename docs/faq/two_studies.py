from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.model_selection import cross_val_score
from sklearn.tree import DecisionTreeClassifier

import albacore

storage = "sqlite:///two.db"


def make_objective(loader):
    X, y = loader(return_X_y=True)

    def objective(trial: albacore.Trial) -> float:
        depth = trial.suggest_int("max_depth", 1, 10)  # the same name in both studies
        return cross_val_score(DecisionTreeClassifier(max_depth=depth, random_state=0), X, y, cv=3).mean()

    return objective


# One study per dataset: the same parameter name in two studies is two independent parameters.
for name, loader in [("wine", load_wine), ("cancer", load_breast_cancer)]:
    study = albacore.create_study(study_name=name, storage=storage, direction="maximize")
    study.optimize(make_objective(loader), n_trials=8)

# Start a new study from another study's best configuration.
wine = albacore.load_study(study_name="wine", storage=storage)
follow_up = albacore.create_study(study_name="wine-2", storage=storage, direction="maximize")
follow_up.enqueue_trial(wine.best_params)
follow_up.optimize(make_objective(load_wine), n_trials=4)
print(follow_up.trials[0].params == wine.best_params, albacore.get_all_study_names(storage=storage))
