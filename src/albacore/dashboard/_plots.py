"""The dashboard's plots: figures from :mod:`albacore.visualization`, over a window or sample of a big study.

Each plot is drawn by the public ``plot_*`` function of the same name, so the page shows exactly the figure a
user gets in a notebook. What the server adds is the choice of trials for studies too big to draw whole:

- optimization history: every trial whose value is the lowest or highest of its stretch of trial numbers, and
  every trial that improved the best value, so the cloud's envelope and the best line are exact;
- timeline: a window of consecutive trials that the page moves through, so every trial can be seen;
- intermediate values: the latest trials that reported, and every running one;
- the other plots: an even spread of the completed trials (and the best ones, with a top-k% filter).

The page is told what was left out (``note``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from albacore.exceptions import InvalidArgumentError
from albacore.study import StudyDirection
from albacore.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from albacore.study import Study

__all__ = ["PLOT_NAMES", "MAX_PLOTTED_TRIALS", "TIMELINE_WINDOW", "TrialsView", "plot_figure"]

MAX_PLOTTED_TRIALS = 4_000
"""Above this many completed trials a plot draws a selection of them (see the module docstring)."""

TIMELINE_WINDOW = 1_000
"""How many consecutive trials the timeline shows at once."""

MAX_CURVES = 300
"""How many finished trials' learning curves the intermediate-values plot draws at most (running ones too)."""


class TrialsView:
    """The part of a study that the ``plot_*`` functions read, over a chosen list of its trials.

    Args:
        name: The study name.
        directions: Its directions.
        metric_names: Its objectives' names, or None.
        trials: The trials to draw.
    """

    def __init__(
        self, name: str, directions: Sequence[StudyDirection], metric_names: list[str] | None, trials: list[FrozenTrial]
    ) -> None:
        self.study_name = name
        self.directions = list(directions)
        self.metric_names = metric_names
        self._trials = trials

    def get_trials(self, deepcopy: bool = False, states: Any = None) -> list[FrozenTrial]:
        """The trials, optionally only those in ``states`` (never copied: the plots only read)."""
        if states is None:
            return list(self._trials)
        return [t for t in self._trials if t.state in states]

    def with_trials(self, trials: list[FrozenTrial]) -> TrialsView:
        """The same study over other trials."""
        return TrialsView(self.study_name, self.directions, self.metric_names, trials)

    def as_study(self) -> Study:
        """This view typed as the study the ``plot_*`` functions take (they read only the attributes above)."""
        return cast("Study", self)


def _completed(trials: Sequence[FrozenTrial]) -> list[FrozenTrial]:
    return [t for t in trials if t.state == TrialState.COMPLETE and t.values is not None]


def _signed(trials: Sequence[FrozenTrial], index: int, direction: StudyDirection) -> np.ndarray:
    """Each trial's objective ``index``, negated for a maximized one (smaller is better); NaN when missing."""
    sign = -1.0 if direction == StudyDirection.MAXIMIZE else 1.0
    values = np.array([t.values[index] if t.values and len(t.values) > index else math.nan for t in trials])
    with np.errstate(invalid="ignore"):
        signed: np.ndarray = sign * values
    return np.where(np.isfinite(signed), signed, np.nan)


def _spread(count: int, limit: int) -> np.ndarray:
    """``limit`` indices spread evenly over ``range(count)`` (all of them when count <= limit)."""
    if count <= limit:
        return np.arange(count)
    return np.unique(np.linspace(0, count - 1, limit).round().astype(int))


def _envelope(done: list[FrozenTrial], loss: np.ndarray, limit: int) -> np.ndarray:
    """Indices of the lowest and highest value of each of ``limit // 2`` stretches, and of every improvement."""
    n = len(done)
    keep = np.zeros(n, dtype=bool)
    finite = np.isfinite(loss)
    high = np.where(finite, loss, -np.inf)
    low = np.where(finite, loss, np.inf)
    for stretch in np.array_split(np.arange(n), max(1, limit // 2)):
        if stretch.size:
            keep[stretch[np.argmin(low[stretch])]] = True
            keep[stretch[np.argmax(high[stretch])]] = True
    best = np.fmin.accumulate(np.where(finite, loss, np.inf))
    keep[0] = True
    keep[1:] |= best[1:] < best[:-1]
    return np.flatnonzero(keep)


def _top(done: list[FrozenTrial], loss: np.ndarray, percent: float) -> list[FrozenTrial]:
    """The best ``percent`` % of ``done`` by ``loss`` (at least one trial), in trial-number order."""
    if not 0 < percent <= 100:
        raise InvalidArgumentError(f"`top` must be a percentage in (0, 100], got {percent}.")
    count = max(1, math.ceil(len(done) * percent / 100))
    order = np.argsort(np.where(np.isnan(loss), np.inf, loss), kind="stable")[:count]
    return [done[i] for i in np.sort(order)]


class _Choice:
    """What a plot request asked for, read from the query string."""

    def __init__(self, view: TrialsView, query: Mapping[str, str]) -> None:
        self.view = view
        self.query = query
        n_objectives = len(view.directions)
        objective = query.get("objective")
        self.objective = None if objective in (None, "") else _int(objective, "objective")
        if self.objective is not None and not 0 <= self.objective < n_objectives:
            raise InvalidArgumentError(f"`objective` must be in [0, {n_objectives}), got {self.objective}.")
        names = view.metric_names or [f"Objective {i}" for i in range(n_objectives)]
        self.index = self.objective if self.objective is not None else 0
        self.name = names[self.index] if n_objectives > 1 or view.metric_names else "Objective Value"
        self.log_value = query.get("log_value") == "1"
        params = query.get("params")
        self.params = [p for p in params.split(",") if p] if params else None

    def target(self, *, multi_default: bool = False) -> dict[str, Any]:
        """``target``/``target_name`` arguments for the chosen objective (none for a single plain objective)."""
        single = len(self.view.directions) == 1
        if self.objective is None and (single or multi_default) and not self.log_value:
            return {}
        index = self.index
        if self.log_value:

            def log_target(t: FrozenTrial) -> float:
                value = t.values[index] if t.values else math.nan
                return math.log10(value) if value > 0 else math.nan

            return {"target": log_target, "target_name": f"log10({self.name})"}
        return {"target": lambda t: t.values[index] if t.values else math.nan, "target_name": self.name}

    def loss(self, trials: Sequence[FrozenTrial]) -> np.ndarray:
        return _signed(trials, self.index, self.view.directions[self.index])


def _int(text: str, name: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise InvalidArgumentError(f"`{name}` must be an integer, got {text!r}.") from None


def _sampled(choice: _Choice) -> tuple[TrialsView, str]:
    """The completed trials to draw (top-k % first, then an even spread), and what the page should be told."""
    trials = choice.view.get_trials()
    done = _completed(trials)
    note = ""
    top = choice.query.get("top")
    if top:
        try:
            percent = float(top)
        except ValueError:
            raise InvalidArgumentError(f"`top` must be a percentage, got {top!r}.") from None
        done = _top(done, choice.loss(done), percent)
        note = f"Best {percent:g}% of the completed trials ({len(done):,})."
    if len(done) > MAX_PLOTTED_TRIALS:
        picked = _spread(len(done), MAX_PLOTTED_TRIALS)
        note = f"{note} Drawn: {len(picked):,} of {len(done):,} completed trials, spread evenly.".strip()
        done = [done[i] for i in picked]
    return choice.view.with_trials(done), note


def _history(choice: _Choice) -> tuple[Any, str]:
    from albacore.visualization import plot_optimization_history

    done = _completed(choice.view.get_trials())
    note = ""
    if len(done) > MAX_PLOTTED_TRIALS:
        picked = _envelope(done, choice.loss(done), MAX_PLOTTED_TRIALS)
        note = (
            f"Drawn: {len(picked):,} of {len(done):,} completed trials: the lowest and highest value of each stretch "
            "of trial numbers and every new best, so the outline and the best line are exact."
        )
        done = [done[i] for i in picked]
    return plot_optimization_history(choice.view.with_trials(done).as_study(), **choice.target()), note


def _timeline(choice: _Choice) -> tuple[Any, str]:
    from albacore.visualization import plot_timeline

    trials = choice.view.get_trials()
    start_text = choice.query.get("start")
    start = max(0, len(trials) - TIMELINE_WINDOW) if not start_text else _int(start_text, "start")
    start = min(max(0, start), max(0, len(trials) - 1))
    window = trials[start : start + TIMELINE_WINDOW]
    note = ""
    if len(window) < len(trials):
        note = f"Trials {start:,} to {start + len(window) - 1:,} of {len(trials):,}."
    return plot_timeline(choice.view.with_trials(window).as_study()), note


def _intermediate(choice: _Choice) -> tuple[Any, str]:
    from albacore.visualization import plot_intermediate_values

    reported = [t for t in choice.view.get_trials() if t.intermediate_values]
    finished = [t for t in reported if t.state.is_finished()]
    note = ""
    if len(finished) > MAX_CURVES:
        running = [t for t in reported if not t.state.is_finished()]
        note = (
            f"Drawn: the latest {MAX_CURVES} of {len(finished):,} finished trials that reported, and every running one."
        )
        reported = sorted(finished[-MAX_CURVES:] + running, key=lambda t: t.number)
    return plot_intermediate_values(choice.view.with_trials(reported).as_study()), note


def _with_sample(draw: Callable[[Study, _Choice], Any]) -> Callable[[_Choice], tuple[Any, str]]:
    def plot(choice: _Choice) -> tuple[Any, str]:
        view, note = _sampled(choice)
        return draw(view.as_study(), choice), note

    return plot


def _parallel(study: Study, choice: _Choice) -> Any:
    from albacore.visualization import plot_parallel_coordinate

    return plot_parallel_coordinate(study, choice.params, **choice.target(multi_default=True))


def _contour(study: Study, choice: _Choice) -> Any:
    from albacore.visualization import plot_contour

    return plot_contour(study, choice.params, **choice.target())


def _slice(study: Study, choice: _Choice) -> Any:
    from albacore.visualization import plot_slice

    return plot_slice(study, choice.params, **choice.target())


def _rank(study: Study, choice: _Choice) -> Any:
    from albacore.visualization import plot_rank

    return plot_rank(study, choice.params, **choice.target())


def _edf(study: Study, choice: _Choice) -> Any:
    from albacore.visualization import plot_edf

    return plot_edf(study, **choice.target())


def _importances(study: Study, choice: _Choice) -> Any:
    from albacore.visualization import plot_param_importances

    return plot_param_importances(study, params=choice.params, **choice.target(multi_default=True))


def _pareto(study: Study, choice: _Choice) -> Any:
    from albacore.visualization import plot_pareto_front

    return plot_pareto_front(study, target_names=choice.view.metric_names)


def reference_point(trials: Sequence[FrozenTrial], directions: Sequence[StudyDirection]) -> list[float]:
    """A hypervolume reference point just worse than every completed trial: the worst value plus 10% of the range."""
    done = _completed(trials)
    point: list[float] = []
    for i, direction in enumerate(directions):
        loss = _signed(done, i, direction)
        loss = loss[np.isfinite(loss)]
        worst, best = (float(loss.max()), float(loss.min())) if loss.size else (1.0, 0.0)
        margin = 0.1 * (worst - best) or 0.1 * abs(worst) or 1.0
        point.append((worst + margin) * (-1.0 if direction == StudyDirection.MAXIMIZE else 1.0))
    return point


def _hypervolume(study: Study, choice: _Choice) -> Any:
    from albacore.visualization import plot_hypervolume_history

    view = choice.view
    return plot_hypervolume_history(study, reference_point(view.get_trials(), view.directions))


_PLOTS: dict[str, Callable[[_Choice], tuple[Any, str]]] = {
    "history": _history,
    "intermediate": _intermediate,
    "parallel": _with_sample(_parallel),
    "contour": _with_sample(_contour),
    "slice": _with_sample(_slice),
    "rank": _with_sample(_rank),
    "edf": _with_sample(_edf),
    "timeline": _timeline,
    "importances": _with_sample(_importances),
    "pareto": _with_sample(_pareto),
    "hypervolume": _with_sample(_hypervolume),
}

PLOT_NAMES = tuple(_PLOTS)
"""Every plot the study page offers."""


def plot_figure(view: TrialsView, name: str, query: Mapping[str, str]) -> tuple[Any, str]:
    """The plotly figure ``name`` of the study in ``view`` as ``query`` asks, and a note on what was left out."""
    draw = _PLOTS.get(name)
    if draw is None:
        raise InvalidArgumentError(f"Unknown plot {name!r}; the dashboard draws {', '.join(PLOT_NAMES)}.")
    return draw(_Choice(view, query))


def compare_figure(views: Sequence[TrialsView], name: str) -> Any:
    """The optimization history or EDF of several studies in one figure (the first objective of each)."""
    from albacore.visualization import plot_edf, plot_optimization_history

    if name not in ("history", "edf"):
        raise InvalidArgumentError(f"Studies are compared on 'history' or 'edf', got {name!r}.")
    thinned = []
    for view in views:
        done = _completed(view.get_trials())
        if len(done) > MAX_PLOTTED_TRIALS:
            loss = _signed(done, 0, view.directions[0])
            # The history keeps its outline; the EDF needs a sample that keeps the distribution.
            picked = (
                _envelope(done, loss, MAX_PLOTTED_TRIALS)
                if name == "history"
                else _spread(len(done), MAX_PLOTTED_TRIALS)
            )
            done = [done[i] for i in picked]
        thinned.append(view.with_trials(done))
    studies = [v.as_study() for v in thinned]
    several = any(len(v.directions) > 1 for v in views)
    target: dict[str, Any] = {"target": lambda t: t.values[0], "target_name": "Objective 0"} if several else {}
    if name == "history":
        return plot_optimization_history(studies, **target)
    return plot_edf(studies, **target)
