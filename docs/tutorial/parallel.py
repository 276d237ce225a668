import multiprocessing

import albacore

STORAGE = "sqlite:///parallel.db"


def objective(trial: albacore.Trial) -> float:
    x = trial.suggest_float("x", -10, 10)
    y = trial.suggest_float("y", -10, 10)
    return (x - 1) ** 2 + (y - 2) ** 2


def worker() -> None:
    # What each script, each process or each machine runs: load the shared study and add trials to it.
    study = albacore.load_study(study_name="shared", storage=STORAGE)
    study.optimize(objective, n_trials=10)


if __name__ == "__main__":
    albacore.create_study(study_name="shared", storage=STORAGE)

    # 1. Threads: n_jobs threads of one process (for objectives that release the GIL: numpy, training libraries).
    study = albacore.load_study(study_name="shared", storage=STORAGE)
    study.optimize(objective, n_trials=10, n_jobs=2)

    # 2. Processes: n_processes workers on every core, whatever the storage (even in memory).
    study.optimize(objective, n_trials=10, n_processes=2)

    # 3. Independent scripts on one storage: here two processes, elsewhere `python worker.py` on each machine.
    workers = [multiprocessing.Process(target=worker) for _ in range(2)]
    for process in workers:
        process.start()
    for process in workers:
        process.join()

    study = albacore.load_study(study_name="shared", storage=STORAGE)
    print(len(study.trials), "trials; numbers", sorted({t.number for t in study.trials}) == list(range(40)))
    print(f"best {study.best_value:.4f} at {study.best_params}")
