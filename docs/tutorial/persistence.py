import albacore


def objective(trial: albacore.Trial) -> float:
    x = trial.suggest_float("x", -10, 10)
    y = trial.suggest_int("y", -5, 5)
    return (x - 2) ** 2 + (y + 1) ** 2


# A storage URL makes the study persistent. Run this script twice: the second run continues the first.
storage = "sqlite:///tutorial.db"
study = albacore.create_study(study_name="persistent", storage=storage, load_if_exists=True)
study.optimize(objective, n_trials=10)
print(f"{len(study.trials)} trials so far, best {study.best_value:.3f}")

# Later, in another script or after a crash: load the study by name and go on.
study = albacore.load_study(study_name="persistent", storage=storage)
study.optimize(objective, n_trials=10)
print(f"{len(study.trials)} trials so far, best {study.best_value:.3f}")

# Every study in a storage, and removing one.
print(albacore.get_all_study_names(storage=storage))
albacore.delete_study(study_name="persistent", storage=storage)
