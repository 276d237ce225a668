"""``advise``: replay a study's learning curves through pruner settings and recommend the one to use."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from albacore._pruning_advice._grid import default_candidates
from albacore._pruning_advice._replay import Candidate, Replay, candidate_of, curves_of, replay, top_trials
from albacore.exceptions import InvalidArgumentError, InvalidArgumentTypeError
from albacore.pruners._base import BasePruner

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = ["WEAK_BELOW", "PruningAdvice", "advise"]

WEAK_BELOW = 20
"""With fewer complete curves than this, the advice says it is weak."""


@dataclass(frozen=True)
class PruningAdvice:
    """The replay of a study's curves through each pruner setting, and the setting to use.

    Attributes:
        study_name: The study replayed.
        replays: One result per setting, in the order they were given.
        recommended: The setting that saves the most steps while keeping the best and every top trial; None
            when no setting saves anything without stopping one of them (then keep the pruner you have, or
            use ``NopPruner()``).
        n_complete: Completed trials with reports: whole curves, the ones the advice is judged on.
        n_cut: Pruned trials with reports: their curves end where the study's pruner stopped them.
        n_skipped: Trials that could not be replayed (failed, running, or never reported).
        n_top: How many top trials each setting had to keep (``top_fraction`` of the completed ones).
        weak: Fewer than :data:`WEAK_BELOW` complete curves: too few to trust the ranking of settings.
        notes: What the replay could not judge, in words.
    """

    study_name: str
    replays: list[Replay]
    recommended: Replay | None
    n_complete: int
    n_cut: int
    n_skipped: int
    n_top: int
    weak: bool
    notes: list[str] = field(default_factory=list)

    @property
    def code(self) -> str:
        """The line of code to use: ``pruner=albacore.pruners.<setting>`` (``NopPruner()`` when none helps)."""
        chosen = self.recommended.code if self.recommended is not None else "NopPruner()"
        return f"pruner=albacore.pruners.{chosen}"

    def __str__(self) -> str:
        lines = [
            f"Pruning advice for study {self.study_name!r}: replayed {self.n_complete} complete and {self.n_cut} "
            f"pruned learning curves ({self.n_skipped} trials could not be replayed) through "
            f"{len(self.replays)} pruner settings; each had to keep the best {self.n_top} completed trial(s).",
            "",
            f"{'steps saved':>11}  {'best kept':>9}  {'top stopped':>11}  setting",
        ]
        for r in sorted(self.replays, key=lambda r: (-r.best_survived, r.top_killed, -r.saved_share)):
            mark = " <- recommended" if r is self.recommended else ""
            lines.append(
                f"{r.saved_share:>11.0%}  {'yes' if r.best_survived else 'NO':>9}  "
                f"{r.top_killed:>5} of {self.n_top:<3}  {r.code}{mark}"
            )
        lines.append("")
        lines.extend(f"Note: {note}" for note in self.notes)
        if self.recommended is not None:
            lines.append(f"Recommended (saves {self.recommended.saved_share:.0%} of the steps, keeps every top trial):")
        else:
            lines.append("No setting saves steps without stopping a top trial; do not prune this objective:")
        lines.append(f"    {self.code}")
        return "\n".join(lines)


def advise(study: Study, *, candidates: Sequence[BasePruner] | None = None, top_fraction: float = 0.1) -> PruningAdvice:
    """Replay the study's recorded learning curves through pruner settings and recommend one.

    Each setting gets a fresh pruner and the study's finished trials in the order they started: every trial
    reports its recorded intermediate values step by step and asks the pruner after each, as the objective
    did. The replay counts the steps the setting would have spent, whether the best completed trial would have
    survived, and how many of the best ``top_fraction`` of completed trials it would have stopped. The
    recommendation is the setting that saves the most steps while keeping all of those.

    Limits, also stated in the result: pruned trials have curves cut where the study's pruner stopped them, so
    a setting laxer than that pruner is charged a full curve for each of them (``Replay.unknown`` counts
    them) and cannot be told whether they would have become top trials; only completed trials can be top
    trials; trials that ran in parallel are replayed one after another; and with fewer than 20 complete curves
    the advice says it is weak.

    Args:
        study: A single-objective study whose trials reported intermediate values.
        candidates: Pruner objects to compare (each replay uses a copy); by default about 40 settings of
            MedianPruner, PercentilePruner, SuccessiveHalvingPruner, HyperbandPruner, WilcoxonPruner and
            PatientPruner scaled to the length of the study's curves.
        top_fraction: The share of the best completed trials a setting must keep, in (0, 1].

    Returns:
        A :class:`PruningAdvice`; ``print(advice)`` shows the table and the line of code to use.

    Example:
        >>> import albacore
        >>> def objective(trial):
        ...     x = trial.suggest_float("x", 0, 1)
        ...     for step in range(10):
        ...         trial.report(x * (step + 1), step)
        ...     return x * 10
        >>> study = albacore.create_study(pruner=albacore.pruners.NopPruner())
        >>> study.optimize(objective, n_trials=30)
        >>> advice = albacore.pruners.advise(study)
        >>> advice.code.startswith("pruner=albacore.pruners.")
        True
    """
    if len(study.directions) != 1:
        raise InvalidArgumentError(
            f"advise works on single-objective studies; study {study.study_name!r} has "
            f"{len(study.directions)} objectives, whose reports pruners do not compare."
        )
    if isinstance(top_fraction, bool) or not isinstance(top_fraction, (int, float)) or not 0 < top_fraction <= 1:
        raise InvalidArgumentError(f"`top_fraction` must be a number in (0, 1], got {top_fraction!r}.")
    curves, skipped = curves_of(study.get_trials(deepcopy=False))
    n_complete = sum(c.value is not None for c in curves)
    if n_complete == 0:
        raise InvalidArgumentError(
            f"Study {study.study_name!r} has no completed trial with intermediate values, so there is no learning "
            "curve to replay. Call trial.report(value, step) in the objective, and let some trials complete."
        )
    full_length = int(statistics.median([len(c.steps) for c in curves if c.value is not None]))
    chosen = _candidates(candidates, full_length)
    top = top_trials(curves, study.direction, float(top_fraction))
    replays = [replay(candidate, curves, study.direction, top, full_length) for candidate in chosen]
    keepers = [r for r in replays if r.best_survived and r.top_killed == 0 and r.saved_share > 0]
    recommended = max(keepers, key=lambda r: r.saved_share, default=None)
    notes = _notes(n_complete, len(curves) - n_complete, skipped, recommended)
    return PruningAdvice(
        study_name=study.study_name,
        replays=replays,
        recommended=recommended,
        n_complete=n_complete,
        n_cut=len(curves) - n_complete,
        n_skipped=skipped,
        n_top=len(top),
        weak=n_complete < WEAK_BELOW,
        notes=notes,
    )


def _candidates(candidates: Sequence[BasePruner] | None, n_steps: int) -> list[Candidate]:
    if candidates is None:
        return default_candidates(max(1, n_steps))
    if isinstance(candidates, BasePruner) or not all(isinstance(c, BasePruner) for c in candidates):
        raise InvalidArgumentTypeError(
            f"`candidates` must be a sequence of pruner objects (BasePruner), got {candidates!r}; "
            "for one pruner, pass [pruner]."
        )
    if not candidates:
        raise InvalidArgumentError("`candidates` is empty; pass None for the default grid of settings.")
    return [candidate_of(c) for c in candidates]


def _notes(n_complete: int, n_cut: int, skipped: int, recommended: Replay | None) -> list[str]:
    notes = []
    if n_complete < WEAK_BELOW:
        notes.append(
            f"only {n_complete} complete learning curves: the advice is weak (at least {WEAK_BELOW} are needed "
            "to tell settings apart); run more trials without pruning, or with a lax pruner, and ask again."
        )
    if n_cut:
        notes.append(
            f"{n_cut} trials were pruned by the study's own pruner; their curves end there, so a setting laxer "
            "than that pruner is charged a full curve for each trial it would have let go on, and cannot know "
            "whether those would have become top trials."
        )
    if skipped:
        notes.append(f"{skipped} trials failed, are running or never reported, and were left out.")
    if recommended is not None and recommended.unknown:
        notes.append(
            f"the recommended setting would have let {recommended.unknown} of the pruned trials go on; their "
            "unknown remaining steps are charged in full, so its saving may be understated."
        )
    return notes
