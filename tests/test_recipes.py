"""The Slurm and Kubernetes recipes run as written, with the cluster emulated on this machine.

There is no Slurm or Kubernetes here, so the commands of ``docs/recipes/slurm.md`` and ``kubernetes.md`` run as
the scheduler would run them: the job script under bash with ``srun`` as a plain call and the variables Slurm
sets, and the Job's container command with its environment, several at once. Only the storage URL (a journal
file on local disk instead of the recipes' database server), the study name and the budget change.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml

import albacore

RECIPES = Path(__file__).resolve().parent.parent / "docs" / "recipes"
BUDGET = 24
pytestmark = pytest.mark.slow  # every worker is a Python process


def _blocks(page: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", (RECIPES / page).read_text(), flags=re.DOTALL)


def _environment(tmp_path: Path) -> tuple[dict[str, str], str, str]:
    """An environment where ``albacore`` is this interpreter's, a fresh storage URL and study name."""
    shutil.copy(RECIPES / "train.py", tmp_path / "train.py")
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tmp_path), env.get("PYTHONPATH", "")]))
    return env, f"journal:///{(tmp_path / 'study.log').as_posix().lstrip('/')}", f"recipe-{uuid.uuid4().hex[:8]}"


def _adapt(text: str, storage: str, study: str) -> str:
    """The recipe's text with a local storage, a study of this test and a small budget."""
    text = re.sub(r"ALBACORE_STORAGE='[^']*'", f"ALBACORE_STORAGE='{storage}'", text)
    return text.replace("resnet", study).replace("--max-trials 400", f"--max-trials {BUDGET}")


def _check_study(storage: str, study: str, n_workers: int) -> None:
    trials = albacore.load_study(study_name=study, storage=storage).trials
    # The documented bound: workers that count at the same moment may each start one more.
    assert BUDGET <= len(trials) <= BUDGET + n_workers - 1
    assert all(t.state.is_finished() for t in trials)
    assert sorted(t.number for t in trials) == list(range(len(trials)))


def test_slurm_recipe_job_array(tmp_path: Path) -> None:
    env, storage, study = _environment(tmp_path)
    blocks = _blocks("slurm.md", "bash")
    script = next(b for b in blocks if "#SBATCH --array" in b)
    follow_up = next(b for b in blocks if b.startswith("sbatch "))
    create = next(line for b in blocks for line in b.splitlines() if line.startswith("albacore create-study"))
    subprocess.run(["bash", "-c", _adapt(create, storage, study)], env={**env, "ALBACORE_STORAGE": storage}, check=True)

    # Three array tasks at once, as Slurm starts them: srun runs its command; the variables are Slurm's.
    job = 'srun() { "$@"; }\n' + _adapt(script, storage, study)
    tasks = [
        subprocess.Popen(
            ["bash", "-c", job],
            env={**env, "SLURM_SUBMIT_DIR": str(tmp_path), "SLURM_CPUS_PER_TASK": "1", "SLURM_ARRAY_TASK_ID": str(i)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for i in range(3)
    ]
    for task in tasks:
        output, _ = task.communicate(timeout=300)
        assert task.returncode == 0, output.decode()
    _check_study(storage, study, n_workers=3)

    for line in follow_up.splitlines():
        command = line.split("#")[0].strip()
        if command.startswith("albacore"):
            result = subprocess.run(
                ["bash", "-c", _adapt(command, storage, study)],
                env={**env, "ALBACORE_STORAGE": storage},
                capture_output=True,
                text=True,
                check=True,
            )
            assert result.stdout.strip()


def test_kubernetes_recipe_job_pods(tmp_path: Path) -> None:
    env, storage, study = _environment(tmp_path)
    job = next(
        doc for block in _blocks("kubernetes.md", "yaml") for doc in yaml.safe_load_all(block) if doc["kind"] == "Job"
    )
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert [e["name"] for e in container["env"]] == ["ALBACORE_STORAGE"]
    command = [study if part == "resnet" else str(part) for part in container["command"]]
    create = next(b for b in _blocks("kubernetes.md", "bash") if "create-study" in b)
    create_command = create.split("-- \\\n", 1)[1].split("\n\n")[0]  # what `kubectl run ... --` runs in the pod
    subprocess.run(
        shlex.split(_adapt(create_command, storage, study)), env={**env, "ALBACORE_STORAGE": storage}, check=True
    )

    # Two pods of the Job at once (its parallelism, scaled down), each with the secret's URL in its environment.
    pods = [
        subprocess.Popen(
            command,
            env={**env, "ALBACORE_STORAGE": storage},
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(2)
    ]
    for pod in pods:
        output, _ = pod.communicate(timeout=300)
        assert pod.returncode == 0, output.decode()
    _check_study(storage, study, n_workers=2)
