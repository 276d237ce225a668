import math

import albacore


def objective(trial: albacore.Trial) -> tuple[float, float]:
    units = trial.suggest_int("units", 8, 128)
    learning_rate = trial.suggest_float("learning_rate", 1e-3, 1.0, log=True)
    quality = 1 - abs(math.log10(learning_rate) + 1) / 3  # best at a learning rate of 0.1
    accuracy = 0.0
    for epoch in range(20):
        accuracy = quality * units / (units + 16) * (1 - 0.8 ** (epoch + 1))  # bigger learns more, costs more
        trial.report([accuracy, units], epoch)  # one value per objective
        if trial.should_prune():
            raise albacore.TrialPruned()
    return accuracy, units


pruners = [
    # Stops a trial worse than the completed trials' median on *every* objective at a step.
    albacore.pruners.ParetoMedianPruner(n_startup_trials=5, n_warmup_steps=3),
    # The same with a percentile: 25.0 keeps only trials in the best quarter on at least one objective.
    albacore.pruners.ParetoPercentilePruner(25.0, n_startup_trials=5, n_warmup_steps=3),
    # Successive halving: at each rung, keeps the best third by Pareto rank, then by crowding distance...
    albacore.pruners.ParetoSuccessiveHalvingPruner(min_resource=1, reduction_factor=3),
    # ... or by each trial's hypervolume contribution within the front that is cut.
    albacore.pruners.ParetoSuccessiveHalvingPruner(reduction_factor=3, tie_break="hypervolume"),
]
for pruner in pruners:
    study = albacore.create_study(directions=["maximize", "minimize"], pruner=pruner)
    study.optimize(objective, n_trials=30)
    pruned = sum(t.state == albacore.trial.TrialState.PRUNED for t in study.trials)
    print(f"{pruner}: {pruned} of 30 pruned, {len(study.best_trials)} trials on the front")
