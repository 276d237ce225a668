"""Replaying a study's recorded learning curves through a pruner, in the order the trials ran."""

from __future__ import annotations

import contextlib
import copy
import inspect
import logging
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from albacore._study_records import StudyDirection
from albacore.pruners._base import BasePruner
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

__all__ = [
    "Candidate",
    "Curve",
    "Replay",
    "best_kept",
    "check_stability",
    "curves_of",
    "describe",
    "replay",
    "sub_histories",
]


@dataclass(frozen=True)
class Curve:
    """One recorded trial: its reports in step order, and its final value when it completed."""

    number: int
    steps: tuple[tuple[int, float], ...]
    value: float | None  # None: the trial was pruned, so its curve ends where that pruner stopped it


@dataclass(frozen=True)
class Candidate:
    """A pruner setting to replay: the line of code that builds it, and a factory for a fresh instance."""

    code: str
    family: str
    make: Callable[[], BasePruner]


@dataclass(frozen=True)
class Replay:
    """What one candidate would have done to the recorded trials.

    Attributes:
        code: The line of code that builds the pruner.
        family: The pruner's class name (PatientPruner(Median...) counts as PatientPruner).
        steps_spent: Reports the replay consumed before each trial ended or was stopped; a trial the study's
            own pruner cut and this candidate would have let go on is charged a full curve (see ``unknown``).
        steps_recorded: Reports without any pruning: complete curves as recorded, cut curves at full length
            (the median length of the complete ones).
        saved_share: ``1 - steps_spent / steps_recorded``.
        stopped: Numbers of the recorded trials the candidate stopped earlier than they ended.
        best_survived: Whether the best completed value would still have been reached: some trial with that
            value (ties count) runs to its end.
        top_killed: How many of the top completed trials the candidate would have stopped.
        unknown: Trials the study's own pruner stopped that this candidate would have let go on: the replay
            cannot know their later steps, so it charges them a full curve (a pessimistic saving) and cannot
            tell whether they would have become top trials.
        checks: Sub-histories the setting was also replayed on (see :func:`sub_histories`); 0 when it was not
            checked (it lost the best in the full replay, or a setting saving more had already passed).
        checks_kept: In how many of those the setting kept that sub-history's best completed value.
    """

    code: str
    family: str
    steps_spent: int
    steps_recorded: int
    saved_share: float
    stopped: tuple[int, ...]
    best_survived: bool
    top_killed: int
    unknown: int
    checks: int = 0
    checks_kept: int = 0

    @property
    def stable(self) -> bool:
        """Checked on sub-histories, and kept the best value in every one."""
        return self.checks > 0 and self.checks_kept == self.checks


def curves_of(trials: list[FrozenTrial]) -> tuple[list[Curve], int]:
    """The curves of the finished trials that reported, in the order they started, and how many were skipped.

    Completed trials give whole curves; pruned trials give curves cut where the study's pruner stopped them.
    Trials that failed, are still running, or never reported cannot be replayed and are counted as skipped.
    """
    usable = [
        t
        for t in trials
        if t.intermediate_values
        and (t.state == TrialState.PRUNED or (t.state == TrialState.COMPLETE and t.values is not None))
    ]
    usable.sort(
        key=lambda t: (t.datetime_start is None, t.datetime_start.timestamp() if t.datetime_start else 0.0, t.number)
    )
    curves = [
        Curve(
            t.number,
            tuple(sorted(t.intermediate_values.items())),
            float(t.value) if t.state == TrialState.COMPLETE and t.value is not None else None,
        )
        for t in usable
    ]
    return curves, len(trials) - len(curves)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Keep the replayed trials out of the log (one INFO line per replayed trial would bury the advice)."""
    logger = logging.getLogger("albacore")
    level = logger.level
    logger.setLevel(max(logging.WARNING, level))
    try:
        yield
    finally:
        logger.setLevel(level)


def replay(
    candidate: Candidate, curves: list[Curve], direction: StudyDirection, top: list[int], full_length: int
) -> Replay:
    """Run the recorded ``curves`` through a fresh pruner of ``candidate``, one trial after another.

    A replayed trial reports its recorded values step by step and asks the pruner after each; stopped, it is
    told PRUNED; at the end of a complete curve it is told its recorded value; at the end of a cut curve (the
    study's own pruner stopped it) it is told PRUNED, since what it would have done next is unknown, and it is
    charged ``full_length`` steps, as if it had run to the end.
    """
    spent, stopped, unknown = _run(candidate, curves, direction, full_length)
    recorded = sum(len(c.steps) if c.value is not None else max(full_length, len(c.steps)) for c in curves)
    killed = set(stopped)
    return Replay(
        code=candidate.code,
        family=candidate.family,
        steps_spent=spent,
        steps_recorded=recorded,
        saved_share=1.0 - spent / recorded if recorded else 0.0,
        stopped=tuple(stopped),
        best_survived=best_kept(curves, killed, direction),
        top_killed=sum(number in killed for number in top),
        unknown=unknown,
    )


def _run(
    candidate: Candidate, curves: list[Curve], direction: StudyDirection, full_length: int
) -> tuple[int, list[int], int]:
    """Replay ``curves`` in their order: (steps spent, numbers of the trials stopped early, unknown count)."""
    from albacore.samplers import RandomSampler
    from albacore.storages import InMemoryStorage
    from albacore.study import create_study

    with _quiet():
        # A fixed name: Hyperband assigns brackets from the study name, and a replay must repeat exactly.
        study = create_study(
            study_name="pruning-advice-replay",
            storage=InMemoryStorage(),
            direction=direction,
            sampler=RandomSampler(seed=0),
            pruner=candidate.make(),
        )
        spent = 0
        unknown = 0
        stopped: list[int] = []
        for curve in curves:
            trial = study.ask()
            said_prune = False
            for step, value in curve.steps:
                trial.report(value, step)
                spent += 1
                if trial.should_prune():
                    said_prune = True
                    break
            # A pruned cut curve stopped where the study's own pruner stopped it: no difference there.
            if said_prune and (curve.value is not None or step != curve.steps[-1][0]):
                stopped.append(curve.number)
            if curve.value is None and not said_prune:
                unknown += 1
                spent += max(0, full_length - len(curve.steps))
            if said_prune or curve.value is None:
                study.tell(trial, state=TrialState.PRUNED)
            else:
                study.tell(trial, curve.value)
    return spent, stopped, unknown


def _complete_values(curves: list[Curve]) -> list[tuple[int, float]]:
    out = []
    for c in curves:
        if c.value is not None and not math.isnan(c.value):
            out.append((c.number, c.value))
    return out


def best_kept(curves: list[Curve], stopped: set[int], direction: StudyDirection) -> bool:
    """Whether a trial that runs to its end still reaches the best completed value of ``curves`` (ties count)."""
    complete = _complete_values(curves)
    if not complete:
        return False
    pick = max if direction == StudyDirection.MAXIMIZE else min
    best = pick(value for _, value in complete)
    return any(value == best and number not in stopped for number, value in complete)


CHECKED_AT_LEAST = 5
"""The sub-histories test at least this many of the best trials, however few ``top_fraction`` makes top."""


def sub_histories(curves: list[Curve], direction: StudyDirection, n_top: int) -> list[list[Curve]]:
    """The histories a setting must also keep the best of, to be recommended.

    One per top trial after the first, counting at least the :data:`CHECKED_AT_LEAST` best (fewer only when
    fewer trials completed): the ``i``-th leaves out the
    ``i`` best completed trials, so that the next one is the best, and a random fifth of the other trials,
    and runs the rest in a shuffled order (seeded, so the advice repeats). A setting that stops a top trial
    only fails if it would stop it when that trial is the best one, with other neighbours and another order:
    what a fresh study of the same objective would put it through.
    """
    complete = _complete_values(curves)
    sign = -1.0 if direction == StudyDirection.MAXIMIZE else 1.0
    ranked = [number for number, _ in sorted(complete, key=lambda item: sign * item[1])]
    out: list[list[Curve]] = []
    for i in range(1, max(CHECKED_AT_LEAST, n_top)):
        if i >= len(ranked):
            break
        rng = random.Random(i)
        left_out = set(ranked[:i])
        rest = [c for c in curves if c.number not in left_out]
        dropped = set(rng.sample([c.number for c in rest if c.number != ranked[i]], len(rest) // 5))
        kept = [c for c in rest if c.number not in dropped]
        rng.shuffle(kept)
        out.append(kept)
    return out


def check_stability(
    candidate: Candidate, histories: list[list[Curve]], direction: StudyDirection, full_length: int
) -> tuple[int, int]:
    """Replay ``candidate`` on each sub-history until it loses one's best: (histories replayed, best kept in)."""
    kept = 0
    for n, history in enumerate(histories, start=1):
        _, stopped, _ = _run(candidate, history, direction, full_length)
        if not best_kept(history, set(stopped), direction):
            return n, kept
        kept += 1
    return len(histories), kept


def top_trials(curves: list[Curve], direction: StudyDirection, top_fraction: float) -> list[int]:
    """Numbers of the best ``top_fraction`` of the completed curves (at least one), best first."""
    complete = [c for c in curves if c.value is not None and not math.isnan(c.value)]
    sign = -1.0 if direction == StudyDirection.MAXIMIZE else 1.0
    complete.sort(key=lambda c: sign * float(c.value))  # type: ignore[arg-type]
    n = max(1, math.ceil(top_fraction * len(complete))) if complete else 0
    return [c.number for c in complete[:n]]


def describe(pruner: BasePruner) -> str:
    """A line of code that builds ``pruner``: its class and the arguments that differ from their defaults."""
    name = type(pruner).__name__
    try:
        parameters = list(inspect.signature(type(pruner).__init__).parameters.values())[1:]
    except (TypeError, ValueError):
        return f"{name}(...)"
    parts = []
    for parameter in parameters:
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        attr = getattr(pruner, f"_{parameter.name}", parameter.default)
        if isinstance(attr, BasePruner):
            parts.append(f"{parameter.name}={describe(attr)}")
        elif parameter.default is parameter.empty or attr != parameter.default:
            shown = "auto" if attr is None and parameter.default == "auto" else attr
            if shown != parameter.default:
                parts.append(f"{parameter.name}={shown!r}")
    return f"{name}({', '.join(parts)})"


def candidate_of(pruner: BasePruner) -> Candidate:
    """A candidate from a pruner object: each replay gets a copy, so the object itself is never used."""
    return Candidate(describe(pruner), type(pruner).__name__, lambda: copy.deepcopy(pruner))
