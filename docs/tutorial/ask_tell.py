import albacore

study = albacore.create_study(direction="maximize")

# Ask for a trial, evaluate it however you like (another process, a queue, a human), then tell the result.
for _ in range(20):
    trial = study.ask()
    x = trial.suggest_float("x", -5, 5)
    label = trial.suggest_categorical("label", ["a", "b"])
    score = -(x**2) + (label == "b")
    study.tell(trial, score)

# A search space given up front: ask() suggests every parameter at once.
space = {
    "x": albacore.distributions.FloatDistribution(-5, 5),
    "label": albacore.distributions.CategoricalDistribution(["a", "b"]),
}
trial = study.ask(space)
print("asked", trial.params)
study.tell(trial, state=albacore.trial.TrialState.PRUNED)  # or FAIL, or values for COMPLETE

# Trials told by number, for results that arrive later from elsewhere.
pending = [study.ask(space) for _ in range(3)]
numbers = [t.number for t in pending]
for number, t in zip(numbers, pending, strict=True):
    study.tell(number, -(t.params["x"] ** 2))

# Known good configurations first: enqueued trials run before the sampler's.
study.enqueue_trial({"x": 0.0, "label": "b"})
trial = study.ask()
study.tell(trial, -(trial.suggest_float("x", -5, 5) ** 2) + (trial.suggest_categorical("label", ["a", "b"]) == "b"))
print(f"{len(study.trials)} trials, best {study.best_value:.3f} at {study.best_params}")
