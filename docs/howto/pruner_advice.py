import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split

import albacore

X, y = load_digits(return_X_y=True)
X_train, X_valid, y_train, y_valid = train_test_split(X / 16.0, y, test_size=0.25, random_state=0)
classes = np.unique(y)


def objective(trial: albacore.Trial) -> float:
    model = SGDClassifier(alpha=trial.suggest_float("alpha", 1e-6, 1e-1, log=True), random_state=trial.number)
    accuracy = 0.0
    for epoch in range(8):
        model.partial_fit(X_train, y_train, classes=classes)
        accuracy = model.score(X_valid, y_valid)
        trial.report(accuracy, epoch)
        if trial.should_prune():
            raise albacore.TrialPruned()
    return accuracy


# 1. A first study that records whole learning curves: no pruning yet.
study = albacore.create_study(direction="maximize", pruner=albacore.pruners.NopPruner())
study.optimize(objective, n_trials=24)

# 2. Replay the curves through pruner settings: steps saved, best trial kept, top trials stopped.
advice = albacore.pruners.advise(study)
print(advice)  # a table, then the line of code to use

# 3. Settings of your own: the recommendation is one of them, so the next study can use it as it is.
candidates = [
    albacore.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=2),
    albacore.pruners.PercentilePruner(25.0, n_startup_trials=5, n_warmup_steps=2),
    albacore.pruners.SuccessiveHalvingPruner(min_resource=2, reduction_factor=3),
]
advice = albacore.pruners.advise(study, candidates=candidates)
print(advice.code)
chosen = advice.recommended
if chosen is None:
    pruner = albacore.pruners.NopPruner()
elif chosen is advice.baseline:
    pruner = albacore.pruners.MedianPruner()  # the baseline of a study run without pruning: the default pruner
else:
    pruner = candidates[advice.replays.index(chosen)]
next_study = albacore.create_study(direction="maximize", pruner=pruner)
next_study.optimize(objective, n_trials=10)
