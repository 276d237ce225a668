import albacore

# With heartbeats, every running trial is stamped every `heartbeat_interval` seconds. A trial whose process died
# (kill -9, a lost machine) stops being stamped; after `grace_period` seconds the next ask() of any worker marks
# it FAIL, and the callback enqueues a retry with the same parameters.
storage = albacore.storages.RDBStorage(
    "sqlite:///heartbeat.db",
    heartbeat_interval=60,
    grace_period=180,
    heartbeat_stale_trial_callback=albacore.storages.RetryHeartbeatStaleTrialCallback(max_retry=2),
)
study = albacore.create_study(study_name="survives-crashes", storage=storage, load_if_exists=True)
study.optimize(lambda trial: trial.suggest_float("x", 0, 1) ** 2, n_trials=5)
print(len(study.trials), "trials")
