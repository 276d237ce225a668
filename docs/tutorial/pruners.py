import albacore

# Stop a trial whose value at a step is worse than the median of earlier trials at that step.
median = albacore.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=3, interval_steps=1)
# The same with any percentile: 25.0 keeps only the best quarter.
percentile = albacore.pruners.PercentilePruner(25.0, n_startup_trials=5, n_warmup_steps=3)
# Asynchronous successive halving: rungs at min_resource * reduction_factor**k steps.
asha = albacore.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3)
# Several successive-halving brackets, for when the right min_resource is unknown.
hyperband = albacore.pruners.HyperbandPruner(min_resource=1, max_resource=30, reduction_factor=3)
# Stop on an absolute bound, or on NaN.
threshold = albacore.pruners.ThresholdPruner(upper=5.0)
# Give a trial `patience` steps without improvement before asking the wrapped pruner.
patient = albacore.pruners.PatientPruner(median, patience=3)

for pruner in [median, percentile, asha, hyperband, threshold, patient]:
    study = albacore.create_study(pruner=pruner, sampler=albacore.samplers.TPESampler(seed=0))

    def objective(trial: albacore.Trial) -> float:
        x = trial.suggest_float("x", -3, 3)
        value = 0.0
        for step in range(30):
            value = x**2 + 1.0 / (step + 1)
            trial.report(value, step)
            if trial.should_prune():
                raise albacore.TrialPruned()
        return value

    study.optimize(objective, n_trials=20)
    pruned = sum(t.state == albacore.trial.TrialState.PRUNED for t in study.trials)
    print(f"{type(pruner).__name__:24} pruned {pruned:2} of 20")
