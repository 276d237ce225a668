"""``advise``: replay a study's learning curves through pruner settings and recommend the one to use."""

from __future__ import annotations

import copy
import dataclasses
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from albacore._pruning_advice._grid import default_candidates
from albacore._pruning_advice._replay import (
    Candidate,
    Replay,
    candidate_of,
    check_stability,
    curves_of,
    describe,
    replay,
    sub_histories,
    top_trials,
)
from albacore.exceptions import InvalidArgumentError, InvalidArgumentTypeError
from albacore.pruners._base import BasePruner
from albacore.pruners._nop import NopPruner
from albacore.pruners._percentile import MedianPruner

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
        replays: One result per setting, in the order they were given, the baseline last when it was added.
        recommended: The setting that saves the most steps while keeping the best value, in the full replay and
            in every sub-history, and stopping no more top trials than the baseline (see :func:`advise`); the
            baseline itself when the advice is weak and the baseline passes; None when no setting saves
            anything that way (then do not prune, or keep a pruner you trust for other reasons).
        baseline: The replay of what the study runs now: its own pruner, or ``MedianPruner()`` (the default
            pruner) when the study did not prune (``NopPruner``); None when the study's pruner cannot be copied.
            The recommendation is compared with it, and :attr:`notes` say why when it spends more.
        n_complete: Completed trials with reports: whole curves, the ones the advice is judged on.
        n_cut: Pruned trials with reports: their curves end where the study's pruner stopped them.
        n_skipped: Trials that could not be replayed (failed, running, or never reported).
        n_top: How many top trials the table counts (``top_fraction`` of the completed ones).
        n_checks: How many sub-histories a setting is replayed on before it is recommended.
        weak: Fewer than :data:`WEAK_BELOW` complete curves: too few to trust the ranking of settings.
        notes: What the replay could not judge, and how the recommendation compares with the baseline, in words.
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
    baseline: Replay | None = None
    n_checks: int = 0

    @property
    def code(self) -> str:
        """The line of code to use: ``pruner=albacore.pruners.<setting>`` (``NopPruner()`` when none helps)."""
        chosen = self.recommended.code if self.recommended is not None else "NopPruner()"
        return f"pruner=albacore.pruners.{chosen}"

    def __str__(self) -> str:
        lines = [
            f"Pruning advice for study {self.study_name!r}: replayed {self.n_complete} complete and {self.n_cut} "
            f"pruned learning curves ({self.n_skipped} trials could not be replayed) through "
            f"{len(self.replays)} pruner settings; the top trials are the best {self.n_top} completed one(s); "
            f"a recommended setting also keeps the best of {self.n_checks} sub-histories.",
            "",
            f"{'steps saved':>11}  {'best kept':>9}  {'top stopped':>11}  {'sub-histories':>13}  setting",
        ]
        for r in sorted(self.replays, key=lambda r: (-r.best_survived, -r.stable, r.top_killed, -r.saved_share)):
            marks = [m for m, on in (("recommended", r is self.recommended), ("baseline", r is self.baseline)) if on]
            checked = f"{r.checks_kept} of {r.checks}" if r.checks else "-"
            lines.append(
                f"{r.saved_share:>11.0%}  {'yes' if r.best_survived else 'NO':>9}  "
                f"{r.top_killed:>5} of {self.n_top:<3}  {checked:>13}  {r.code}"
                + (f"  <- {', '.join(marks)}" if marks else "")
            )
        lines.append("")
        lines.extend(f"Note: {note}" for note in self.notes)
        if self.recommended is not None:
            lines.append(
                f"Recommended (saves {self.recommended.saved_share:.0%} of the steps, keeps the best trial here and "
                "in every sub-history):"
            )
        else:
            lines.append("No setting saves steps and keeps the best trial in every sub-history; do not prune:")
        lines.append(f"    {self.code}")
        return "\n".join(lines)


def advise(study: Study, *, candidates: Sequence[BasePruner] | None = None, top_fraction: float = 0.1) -> PruningAdvice:
    """Replay the study's recorded learning curves through pruner settings and recommend one.

    Each setting gets a fresh pruner and the study's finished trials in the order they started: every trial
    reports its recorded intermediate values step by step and asks the pruner after each, as the objective
    did. The replay counts the steps the setting would have spent, whether the best completed value would
    still have been reached (a tie with the best counts), and how many of the best ``top_fraction`` of
    completed trials it would have stopped.

    The rule: a setting is recommended only if it keeps the best value in the full replay and in every
    sub-history, one per top trial after the first: the ``i``-th leaves out the ``i`` best trials (so the
    next top trial is the best) and a random fifth of the others, in a shuffled order. Among those, the one
    that saves the most in the full replay wins. So stopping a top trial is allowed when it is not decisive
    (another trial reaches the same value, and the setting would not stop that trial were it the best), and a
    setting that keeps the best only thanks to the order or the company of this one history is refused. The
    baseline (the study's own pruner, or ``MedianPruner()`` when the study did not prune) is always replayed,
    and a setting may stop no more top trials than it does (none when it loses the best); when the
    recommendation saves less than the baseline, a note says what the baseline lost. With fewer than
    :data:`WEAK_BELOW` complete curves, the baseline is recommended whenever it passes the rule, and a note
    names the setting those few curves alone would have chosen.

    Limits, also stated in the result: pruned trials have curves cut where the study's pruner stopped them, so
    a setting laxer than that pruner is charged a full curve for each of them (``Replay.unknown`` counts
    them) and cannot be told whether they would have become top trials: a study recorded with a pruner
    favours that pruner and stricter ones; only completed trials can be top trials; trials that ran in
    parallel are replayed one after another; and with fewer than 20 complete curves the advice says it is
    weak (and has few top trials, hence few sub-histories, to check a setting on).

    Args:
        study: A single-objective study whose trials reported intermediate values.
        candidates: Pruner objects to compare (each replay uses a copy); by default about 40 settings of
            MedianPruner, PercentilePruner, SuccessiveHalvingPruner, HyperbandPruner, WilcoxonPruner and
            PatientPruner scaled to the length of the study's curves. The baseline is added when it is not
            among them.
        top_fraction: The share of the best completed trials counted as top trials, in (0, 1]: the table
            counts how many of them each setting stops, and each top trial after the first gives one
            sub-history a setting must keep the best of.

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
    baseline_candidate = _baseline(study.pruner)
    baseline_index = None
    if baseline_candidate is not None:
        codes = [_canonical(c) for c in chosen]
        if baseline_candidate.code in codes:
            baseline_index = codes.index(baseline_candidate.code)
        else:
            chosen.append(baseline_candidate)
            baseline_index = len(chosen) - 1
    top = top_trials(curves, study.direction, float(top_fraction))
    replays = [replay(candidate, curves, study.direction, top, full_length) for candidate in chosen]
    histories = sub_histories(curves, study.direction, len(top))
    baseline = replays[baseline_index] if baseline_index is not None else None
    # Check settings on the sub-histories from the one saving most down, until one keeps the best in all;
    # the baseline is always checked, to compare with.
    top_cap = _top_cap(baseline)
    best_found = None
    for i in sorted(range(len(replays)), key=lambda i: -replays[i].saved_share):
        r = replays[i]
        eligible = r.best_survived and r.saved_share > 0 and r.top_killed <= top_cap and bool(histories)
        if eligible and (best_found is None or i == baseline_index):
            checks, kept = check_stability(chosen[i], histories, study.direction, full_length)
            replays[i] = dataclasses.replace(r, checks=checks, checks_kept=kept)
            if best_found is None and replays[i].stable:
                best_found = replays[i]
    baseline = replays[baseline_index] if baseline_index is not None else None
    weak = n_complete < WEAK_BELOW
    recommended = best_found
    if weak and baseline is not None and baseline.stable and best_found is not baseline:
        # Too few curves to trust a change: keep what runs now, and say what the replay would have chosen.
        recommended = baseline
    notes = _notes(n_complete, len(curves) - n_complete, skipped, recommended)
    if recommended is best_found:
        notes.extend(_compare_with_baseline(recommended, baseline, len(histories)))
    elif best_found is not None:
        notes.append(
            f"with this few complete curves the baseline is kept; on these curves alone {best_found.code} would "
            f"have been chosen (saves {best_found.saved_share:.0%}): try it once more trials have run."
        )
    return PruningAdvice(
        study_name=study.study_name,
        replays=replays,
        recommended=recommended,
        n_complete=n_complete,
        n_cut=len(curves) - n_complete,
        n_skipped=skipped,
        n_top=len(top),
        weak=weak,
        notes=notes,
        baseline=baseline,
        n_checks=len(histories),
    )


def _top_cap(baseline: Replay | None) -> int:
    """How many top trials a recommended setting may stop: no more than the baseline, which must keep the best."""
    return baseline.top_killed if baseline is not None and baseline.best_survived else 0


def _baseline(pruner: BasePruner) -> Candidate | None:
    """What the study runs now: a copy of its pruner, or ``MedianPruner()`` when it does not prune."""
    if isinstance(pruner, NopPruner):
        return candidate_of(MedianPruner())
    try:
        copy.deepcopy(pruner)
    except (TypeError, copy.Error):  # a pruner holding a lock or a connection cannot be copied
        return None
    return candidate_of(pruner)


def _canonical(candidate: Candidate) -> str:
    """The code of a candidate as :func:`describe` writes it, so that equal settings compare equal."""
    return describe(candidate.make())


def _compare_with_baseline(recommended: Replay | None, baseline: Replay | None, n_checks: int) -> list[str]:
    if baseline is None:
        return []
    if recommended is baseline:
        return [f"the baseline {baseline.code} is the best setting found: keep it."]
    if recommended is not None and recommended.saved_share >= baseline.saved_share:
        return [
            f"the recommendation saves {recommended.saved_share:.0%} of the steps against "
            f"{baseline.saved_share:.0%} for the baseline {baseline.code}."
        ]
    if not baseline.best_survived:
        why = "would have stopped every trial that reached the best value"
    elif baseline.saved_share <= 0:
        why = "saves nothing"
    elif baseline.checks:
        why = (
            f"lost the best trial in sub-history {baseline.checks_kept + 1} of {n_checks} (without the "
            f"{baseline.checks_kept + 1} best trials, in another order): it keeps the best here only by luck"
        )
    else:
        why = "could not be checked on sub-histories (too few top trials)"
    spends_more = (
        f"the recommendation spends more steps than the baseline {baseline.code} "
        f"(saves {recommended.saved_share:.0%} against {baseline.saved_share:.0%})"
        if recommended is not None
        else f"the baseline {baseline.code} saves {baseline.saved_share:.0%}"
    )
    return [f"{spends_more}, because the baseline {why}."]


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
