import pickle
from pathlib import Path

from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier

import albacore
from albacore.artifacts import FileSystemArtifactStore, download_artifact, get_all_artifact_meta, upload_artifact

X, y = load_iris(return_X_y=True)
X_train, X_valid, y_train, y_valid = train_test_split(X, y, random_state=0)
store = FileSystemArtifactStore("artifacts")  # or Boto3ArtifactStore / GCSArtifactStore
Path("artifacts").mkdir(exist_ok=True)


def objective(trial: albacore.Trial) -> float:
    model = KNeighborsClassifier(n_neighbors=trial.suggest_int("n_neighbors", 1, 30))
    model.fit(X_train, y_train)
    # Save the model under the trial's number, then attach the file to the trial.
    path = Path(f"model-{trial.number}.pkl")
    path.write_bytes(pickle.dumps(model))
    upload_artifact(artifact_store=store, file_path=path, study_or_trial=trial)
    path.unlink()
    return model.score(X_valid, y_valid)


study = albacore.create_study(direction="maximize", storage="sqlite:///models.db")
study.optimize(objective, n_trials=10)

# After the study: the best trial's model.
meta = get_all_artifact_meta(study.best_trial, storage="sqlite:///models.db")[0]
download_artifact(artifact_store=store, file_path="best-model.pkl", artifact_id=meta.artifact_id)
best = pickle.loads(Path("best-model.pkl").read_bytes())  # only unpickle files you wrote yourself
print(meta.filename, best.score(X_valid, y_valid) == study.best_value)
