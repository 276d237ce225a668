import albacore
from albacore import samplers


def objective(trial: albacore.Trial) -> float:
    x = trial.suggest_float("x", -5, 5)
    y = trial.suggest_float("y", -5, 5)
    return (x - 1) ** 2 + 10 * (y - x**2) ** 2  # a curved valley, minimum 0 at (1, 1)


candidates = {
    "AutoSampler (default)": samplers.AutoSampler(seed=0),
    "TPESampler": samplers.TPESampler(seed=0),
    "GPSampler": samplers.GPSampler(seed=0),
    "CmaEsSampler": samplers.CmaEsSampler(seed=0),  # pip install 'albacore[cmaes]'
    "QMCSampler": samplers.QMCSampler(seed=0),
    "RandomSampler": samplers.RandomSampler(seed=0),
}
for name, sampler in candidates.items():
    study = albacore.create_study(sampler=sampler)
    study.optimize(objective, n_trials=40)
    print(f"{name:22} best {study.best_value:.4f}")

# Every combination of a small discrete space, once each.
grid = samplers.GridSampler({"x": [-1, 0, 1], "y": [0, 1]})
study = albacore.create_study(sampler=grid)
study.optimize(objective)  # stops by itself when the grid is exhausted
print(len(study.trials), "grid points")
