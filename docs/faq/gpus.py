import os
import queue

import albacore

# One GPU per worker thread: a queue of device ids that each trial borrows and gives back.
devices: queue.Queue[int] = queue.Queue()
for device_id in [0, 1]:  # the GPUs of this machine
    devices.put(device_id)


def objective(trial: albacore.Trial) -> float:
    device = devices.get()
    try:
        lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
        # train_on(f"cuda:{device}", lr) ... here a stand-in:
        trial.set_user_attr("device", device)
        return (lr - 1e-3) ** 2
    finally:
        devices.put(device)


study = albacore.create_study()
study.optimize(objective, n_trials=8, n_jobs=2)  # as many threads as GPUs
print(sorted({t.user_attrs["device"] for t in study.trials}))

# With one process per GPU instead (scripts sharing a storage), pin each process before it imports the
# training library: CUDA_VISIBLE_DEVICES=0 python worker.py & CUDA_VISIBLE_DEVICES=1 python worker.py &
print("this process sees GPUs:", os.environ.get("CUDA_VISIBLE_DEVICES", "all"))
