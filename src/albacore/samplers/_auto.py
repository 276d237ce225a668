"""AutoSampler: picks a strong sampler per study and per phase, from the search space and the trials so far.

The rules, applied when each trial starts (the choice is recorded in the trial's system attribute
``auto:sampler``):

1. Several objectives: TPE (multi-objective TPE ranks trials by non-domination and hypervolume contribution).
2. One objective, at most ``gp_max_dims`` parameters, fewer than ``gp_max_trials`` finished trials, at most
   one categorical parameter (or more numeric parameters than categorical ones), and every conditional parameter
   (one that some trials lack) explained by one categorical parameter that all trials share (``momentum`` asked
   exactly when ``optimizer == "sgd"``): the Gaussian process sampler, which models floats, integers,
   categoricals and such conditional parameters jointly (see ``_gp/_conditional.py``). On the quality benchmark
   (100 trials, 10 seeds) it beat TPE on every such problem of up to 10 parameters, by orders of magnitude on
   smooth or mixed HPO-shaped spaces; ``gp_max_dims`` defaults to that bound of 10.
3. Everything else (more parameters; two or more categoricals making up half of the space or more; conditional
   parameters that no single categorical explains; long runs where the GP's cubic cost would grow):
   multivariate TPE, with ``group=True`` so conditional parameters are modelled jointly per group. Where
   categoricals dominate, the GP's one-lengthscale-per-categorical kernel has little smooth structure to
   exploit: on the real SGDClassifier/digits problem (3 categoricals of 6 parameters, 20 seeds x 100 trials)
   TPE reached a best error of 0.0330 and the GP 0.0344.

Both samplers start with their own random startup trials and then learn from every finished trial, whichever
sampler produced it, so switching from GP to TPE at ``gp_max_trials`` loses nothing. The per-trial cost stays
bounded as a study grows: the GP is used only while n < ``gp_max_trials``.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from albacore.distributions import BaseDistribution, CategoricalDistribution
from albacore.exceptions import InvalidArgumentError
from albacore.samplers._base import BaseSampler
from albacore.samplers._tpe import TPESampler
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

if TYPE_CHECKING:
    from albacore.samplers._gp import GPSampler
    from albacore.study._study import Study

__all__ = ["AutoSampler"]

_CHOICE_KEY = "auto:sampler"


class _SpaceSummary:
    """What the finished trials of one study say about its search space, updated incrementally."""

    def __init__(self) -> None:
        self.seen = 0  # trials looked at, by number: finished trials never change, so they are read once
        self.pending: set[int] = set()  # positions of trials that were not finished when looked at
        self.n_finished = 0
        self.union: dict[str, BaseDistribution] = {}
        self.intersection: set[str] | None = None

    def update(self, trials: Sequence[FrozenTrial]) -> None:
        # Positions, not trial numbers: a pruner's view of the study (Hyperband's brackets) holds a subset.
        positions = sorted(self.pending) + list(range(self.seen, len(trials)))
        self.pending = set()
        self.seen = len(trials)
        for position in positions:
            trial = trials[position]
            if trial.state in (TrialState.COMPLETE, TrialState.PRUNED):
                self.n_finished += 1
                self.union.update(trial.distributions)
                names = set(trial.distributions)
                self.intersection = names if self.intersection is None else self.intersection & names
            elif not trial.state.is_finished():
                self.pending.add(position)

    @property
    def mostly_categorical(self) -> bool:
        """Whether several categorical parameters make up half or more of the parameters with a choice to make.

        One categorical splits the space into a few numeric surfaces that the GP models well; several multiply
        into many combinations of which 100 trials see each only a few times.
        """
        varying = [dist for dist in self.union.values() if not dist.single()]
        n_categorical = sum(isinstance(dist, CategoricalDistribution) for dist in varying)
        return n_categorical >= 2 and 2 * n_categorical >= len(varying)

    @property
    def conditional(self) -> bool:
        return self.intersection is not None and len(self.intersection) < len(self.union)


def _gp_explains(study: Study, summary: _SpaceSummary) -> bool:
    """Whether the GP can model every conditional parameter (each decided by one shared categorical)."""
    from albacore.samplers._gp._conditional import find_conditional_params  # the GP package imports scipy

    assert summary.intersection is not None
    shared = {name: summary.union[name] for name in summary.intersection if not summary.union[name].single()}
    conditional = {name for name in set(summary.union) - summary.intersection if not summary.union[name].single()}
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    return conditional <= {c.name for c in find_conditional_params(complete, shared)}


class AutoSampler(BaseSampler):
    """The default sampler of ``create_study``: Gaussian-process BO or TPE, chosen per study and phase.

    Args:
        seed: Seed for reproducible runs (passed to the samplers it uses).
        gp_max_dims: Largest number of parameters for which the GP is used.
        gp_max_trials: The GP is used while fewer trials than this have finished.

    Example:
        >>> import albacore
        >>> study = albacore.create_study(sampler=albacore.samplers.AutoSampler(seed=0))
        >>> study.optimize(lambda t: (t.suggest_float("x", -5, 5) - 1) ** 2, n_trials=12)
        >>> study.trials[-1].system_attrs["auto:sampler"]
        'GPSampler'
    """

    def __init__(self, *, seed: int | None = None, gp_max_dims: int = 10, gp_max_trials: int = 150) -> None:
        for name, value in (("gp_max_dims", gp_max_dims), ("gp_max_trials", gp_max_trials)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidArgumentError(f"`{name}` must be a non-negative integer, got {value!r}.")
        self._seed = seed
        self._gp_max_dims = gp_max_dims
        self._gp_max_trials = gp_max_trials
        self._tpe = TPESampler(seed=seed, multivariate=True, group=True)
        self._gp: GPSampler | None = None
        self._lock = threading.Lock()
        self._summaries: dict[tuple[int, int], _SpaceSummary] = {}
        self._chosen: dict[tuple[int, int, int], BaseSampler] = {}

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]
        state["_summaries"] = {}
        state["_chosen"] = {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def _gp_sampler(self) -> GPSampler:
        if self._gp is None:
            from albacore.samplers._gp import GPSampler  # scipy.optimize is slow to import: only when needed

            self._gp = GPSampler(seed=self._seed, warn_independent_sampling=False)
        return self._gp

    def _choose(self, study: Study) -> BaseSampler:
        if len(study.directions) > 1:
            return self._tpe
        key = (id(study._storage), study._study_id)
        with self._lock:
            # A pruner's view of the study (Hyperband's bracket, which wraps the study) lists other trials at
            # the same positions as the study itself: it is summed up afresh, the study incrementally.
            is_view = getattr(study, "_wrapped", study) is not study
            summary = _SpaceSummary() if is_view else self._summaries.setdefault(key, _SpaceSummary())
            summary.update(study.get_trials(deepcopy=False))
            small = len(summary.union) <= self._gp_max_dims and summary.n_finished < self._gp_max_trials
            modelled = (
                small and not summary.mostly_categorical and (not summary.conditional or _gp_explains(study, summary))
            )
        return self._gp_sampler() if modelled else self._tpe

    def _sampler_of(self, study: Study, trial: FrozenTrial) -> BaseSampler:
        with self._lock:
            chosen = self._chosen.get((id(study._storage), study._study_id, trial.number))
        return chosen if chosen is not None else self._tpe

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        sampler = self._choose(study)
        with self._lock:
            self._chosen[(id(study._storage), study._study_id, trial.number)] = sampler
        study._storage.set_trial_system_attr(trial._trial_id, _CHOICE_KEY, type(sampler).__name__)
        trial.system_attrs[_CHOICE_KEY] = type(sampler).__name__
        sampler.before_trial(study, trial)

    def infer_relative_search_space(self, study: Study, trial: FrozenTrial) -> dict[str, BaseDistribution]:
        return self._sampler_of(study, trial).infer_relative_search_space(study, trial)

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        return self._sampler_of(study, trial).sample_relative(study, trial, search_space)

    def sample_independent(
        self, study: Study, trial: FrozenTrial, param_name: str, param_distribution: BaseDistribution
    ) -> Any:
        return self._sampler_of(study, trial).sample_independent(study, trial, param_name, param_distribution)

    def after_trial(self, study: Study, trial: FrozenTrial, state: TrialState, values: Sequence[float] | None) -> None:
        sampler = self._sampler_of(study, trial)
        with self._lock:
            self._chosen.pop((id(study._storage), study._study_id, trial.number), None)
        sampler.after_trial(study, trial, state, values)

    def reseed_rng(self) -> None:
        self._tpe.reseed_rng()
        if self._gp is not None:
            self._gp.reseed_rng()
