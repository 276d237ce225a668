"""How each step of the tuner proposes values: grid candidates in order, or a sampler over the step's own trials."""

from __future__ import annotations

import random
from typing import Any

import albacore
from albacore.distributions import BaseDistribution
from albacore.integration._lightgbm_tuner._params import Step
from albacore.samplers import BaseSampler
from albacore.study import Study, StudyDirection
from albacore.trial import FrozenTrial, TrialState

__all__: list[str] = []

STEP_KEY = "lightgbm_tuner:step_name"
PARAMS_KEY = "lgbm_params"
CLAIM_KEY = "lightgbm_tuner:claimed"
"""Study system attributes ``<CLAIM_KEY>:<step>:<index>``: grid point ``index`` of ``step`` was chosen by a process."""


def step_trials(study: Study, step: str) -> list[FrozenTrial]:
    return [t for t in study.get_trials(deepcopy=False) if t.system_attrs.get(STEP_KEY) == step]


def counted(trials: list[FrozenTrial]) -> int:
    # Running trials count too, so that several processes on one study share a step's budget.
    return sum(t.state in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING) for t in trials)


class ProposalSampler(BaseSampler):
    """The study's sampler while the tuner runs: it returns the value the tuner chose for each parameter, so
    that the trial records it under the step's distribution."""

    def __init__(self) -> None:
        self.proposal: dict[str, Any] = {}

    def infer_relative_search_space(self, study: Study, trial: FrozenTrial) -> dict[str, BaseDistribution]:
        return {}

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        return {}

    def sample_independent(
        self, study: Study, trial: FrozenTrial, param_name: str, param_distribution: BaseDistribution
    ) -> Any:
        return self.proposal[param_name]


class StepProposer:
    """Proposes the next values of one step from the trials of that step only (all processes' trials)."""

    def __init__(self, step: Step, direction: StudyDirection, seed: int | None) -> None:
        self._step = step
        self._direction = direction
        self._seed = seed
        self._shadow: Study | None = None
        self._mirrored: set[int] = set()
        self._rng = random.Random(seed)

    def propose(self, study: Study) -> dict[str, Any]:
        trials = step_trials(study, self._step.name)
        if self._step.grid:
            return self._next_grid_point(study, trials)
        return self._sample(trials)

    def _next_grid_point(self, study: Study, trials: list[FrozenTrial]) -> dict[str, Any]:
        taken = [dict(t.params) for t in trials if t.state != TrialState.FAIL]
        free = [(index, c) for index, c in enumerate(self._step.grid) if c not in taken]
        # A point another process chose a moment ago is not among its trials' parameters yet: each point is
        # claimed once, atomically, in the study, so that two processes do not both pick it.
        for index, candidate in free:
            key = f"{CLAIM_KEY}:{self._step.name}:{index}"
            try:
                claimed = study._storage.compare_and_set_study_system_attr(study._study_id, key, None, True)
            except NotImplementedError:  # a storage without compare-and-set: the first free point, as before
                return dict(candidate)
            if claimed:
                return dict(candidate)
        if free:
            return dict(free[0][1])  # claimed before but not run (its trial failed): run it again
        return dict(self._rng.choice(self._step.grid))  # every point taken (another process raced us)

    def _sample(self, trials: list[FrozenTrial]) -> dict[str, Any]:
        verbosity = albacore.logging.get_verbosity()
        albacore.logging.set_verbosity(albacore.logging.ERROR)  # an internal study: its news is not the user's
        try:
            return self._sample_quietly(trials)
        finally:
            albacore.logging.set_verbosity(verbosity)

    def _sample_quietly(self, trials: list[FrozenTrial]) -> dict[str, Any]:
        if self._shadow is None:
            self._shadow = albacore.create_study(
                direction=self._direction, sampler=albacore.samplers.AutoSampler(seed=self._seed)
            )
        finished = [
            t
            for t in trials
            if t.state == TrialState.COMPLETE and t.number not in self._mirrored and t.value is not None
        ]
        if finished:
            self._shadow.add_trials(
                albacore.trial.create_trial(
                    params={k: t.params[k] for k in self._step.distributions if k in t.params},
                    distributions={k: v for k, v in self._step.distributions.items() if k in t.params},
                    value=t.value,
                )
                for t in finished
            )
            self._mirrored.update(t.number for t in finished)
        proposal = self._shadow.ask(self._step.distributions)
        params = dict(proposal.params)
        self._shadow.tell(proposal, state=TrialState.FAIL, skip_if_finished=True)  # the real trial is told later
        return params
