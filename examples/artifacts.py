"""Save each trial's model as an artifact, then download the best one and check it on held-out data.

Tunes a logistic regression on scikit-learn's bundled digits data. Each trial writes its fitted model (the
scaler's statistics and the linear weights, as a NumPy ``.npz`` file: plain arrays, nothing that runs code when
loaded) and uploads it with ``albacore.artifacts.upload_artifact``. After the study, the best trial's artifact
is found with ``get_all_artifact_meta``, downloaded and scored on a test split no trial has seen.

Run it twice: the second run continues the same study, and its store, from ``albacore-artifacts.db`` and
``albacore-artifacts/``.

    python examples/artifacts.py [--trials 20] [--artifacts-dir albacore-artifacts]
                                 [--storage sqlite:///albacore-artifacts.db]
"""

from __future__ import annotations

import argparse
import tempfile
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import albacore
from albacore.artifacts import FileSystemArtifactStore, download_artifact, get_all_artifact_meta, upload_artifact


def predict(model: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """Class predictions of a saved model: standardize, then the class with the largest linear score."""
    scores = ((x - model["mean"]) / model["scale"]) @ model["coef"].T + model["intercept"]
    return model["classes"][np.argmax(scores, axis=1)]


def main(argv: list[str] | None = None) -> float:
    """Run the example; return the downloaded best model's test accuracy."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--artifacts-dir", default="albacore-artifacts", help="where the artifact store keeps files")
    parser.add_argument("--storage", default="sqlite:///albacore-artifacts.db", help="where the study is kept")
    args = parser.parse_args(argv)

    x, y = load_digits(return_X_y=True)
    x_rest, x_test, y_rest, y_test = train_test_split(x, y, test_size=0.2, random_state=0, stratify=y)
    x_train, x_valid, y_train, y_valid = train_test_split(
        x_rest, y_rest, test_size=0.25, random_state=0, stratify=y_rest
    )
    store = FileSystemArtifactStore(args.artifacts_dir)
    storage = albacore.storages.get_storage(args.storage)
    scratch = Path(tempfile.mkdtemp(prefix="albacore-example-"))

    def objective(trial: albacore.Trial) -> float:
        c = trial.suggest_float("C", 1e-3, 1e2, log=True)
        scaler = StandardScaler().fit(x_train)
        clf = LogisticRegression(C=c, max_iter=200)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # small C or few iterations: still a valid model
            clf.fit(scaler.transform(x_train), y_train)
        path = scratch / f"model-trial-{trial.number}.npz"
        np.savez(
            path,
            mean=scaler.mean_,
            scale=scaler.scale_,
            coef=clf.coef_,
            intercept=clf.intercept_,
            classes=clf.classes_,
        )
        upload_artifact(artifact_store=store, file_path=path, study_or_trial=trial)
        path.unlink()
        return float(clf.score(scaler.transform(x_valid), y_valid))

    study = albacore.create_study(
        study_name="digits-artifacts", direction="maximize", storage=storage, load_if_exists=True
    )
    study.optimize(objective, n_trials=args.trials)

    best = study.best_trial  # a FrozenTrial: its artifacts are listed through the study's storage
    [meta] = get_all_artifact_meta(best, storage=storage)
    target = scratch / meta.filename
    download_artifact(artifact_store=store, file_path=target, artifact_id=meta.artifact_id)
    with np.load(target, allow_pickle=False) as saved:
        model = {name: saved[name] for name in saved.files}
    target.unlink()
    scratch.rmdir()
    test_accuracy = float(np.mean(predict(model, x_test) == y_test))

    print(f"\nBest trial: #{best.number} with C={best.params['C']:.4g}, validation accuracy {best.value:.4f}")
    print(f"Its model, downloaded from {args.artifacts_dir} (artifact {meta.artifact_id}, {meta.filename}):")
    print(f"  test accuracy {test_accuracy:.4f} on {len(y_test)} held-out digits")
    return test_accuracy


if __name__ == "__main__":
    main()
