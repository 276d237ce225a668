import albacore


def objective(trial: albacore.Trial) -> float:
    x = trial.suggest_float("x", -10, 10)
    kind = trial.suggest_categorical("kind", ["a", "b", "c"])
    return (x - 2) ** 2 + {"a": 0.0, "b": 1.0, "c": 2.0}[kind]


def run(sampler: albacore.samplers.BaseSampler, **optimize_kwargs: int) -> list[dict[str, object]]:
    study = albacore.create_study(sampler=sampler)
    study.optimize(objective, n_trials=20, **optimize_kwargs)
    return [t.params for t in sorted(study.trials, key=lambda t: t.number)]


# A seeded sampler in one thread: the same trials every time.
assert run(albacore.samplers.TPESampler(seed=42)) == run(albacore.samplers.TPESampler(seed=42))
assert run(albacore.samplers.AutoSampler(seed=42)) == run(albacore.samplers.AutoSampler(seed=42))

# RandomSampler draws per (seed, trial number, parameter): the same trials with threads too.
assert run(albacore.samplers.RandomSampler(seed=7), n_jobs=2) == run(albacore.samplers.RandomSampler(seed=7))
print("reproduced")
