from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import cross_val_score
from sklearn.tree import DecisionTreeClassifier

import albacore

X, y = load_breast_cancer(return_X_y=True)


def objective(trial: albacore.Trial) -> tuple[float, float]:
    max_depth = trial.suggest_int("max_depth", 1, 12)
    min_samples_leaf = trial.suggest_int("min_samples_leaf", 1, 50, log=True)
    model = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=min_samples_leaf, random_state=0)
    accuracy = cross_val_score(model, X, y, cv=3).mean()
    n_leaves = model.fit(X, y).get_n_leaves()
    # A constraint: feasible when <= 0. Here: at most 20 leaves.
    trial.set_constraint("too_many_leaves", n_leaves - 20)
    return accuracy, n_leaves  # two objectives: accuracy up, size down


study = albacore.create_study(directions=["maximize", "minimize"], sampler=albacore.samplers.TPESampler(seed=0))
study.set_metric_names(["accuracy", "leaves"])
study.optimize(objective, n_trials=30)

# No single best trial: the Pareto front holds the trials no other trial beats on both objectives.
for trial in sorted(study.best_trials, key=lambda t: t.values[1]):
    print(f"accuracy {trial.values[0]:.3f} with {trial.values[1]:3.0f} leaves: {trial.params}")
assert all(t.constraints["too_many_leaves"] <= 0 for t in study.best_trials)  # infeasible: never on the front
