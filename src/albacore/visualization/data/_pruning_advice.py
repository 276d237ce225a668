"""Data of the pruning trade-off plot: for each replayed pruner setting, steps saved against top trials lost."""

from __future__ import annotations

from dataclasses import dataclass

from albacore._pruning_advice import PruningAdvice

__all__ = ["PruningFamily", "PruningTradeoffData", "pruning_tradeoff_data"]


@dataclass(frozen=True)
class PruningFamily:
    """The settings of one pruner class.

    Attributes:
        name: The pruner class (the legend text).
        saved_percent: Share of the recorded steps each setting would have saved, in percent.
        top_stopped: How many of the top trials each setting would have stopped.
        best_kept: Whether each setting would have let the best trial finish.
        codes: The line of code of each setting (hover text).
    """

    name: str
    saved_percent: list[float]
    top_stopped: list[int]
    best_kept: list[bool]
    codes: list[str]


@dataclass(frozen=True)
class PruningTradeoffData:
    """Everything the trade-off plot draws.

    Attributes:
        families: One group of points per pruner class, in the order they first appear.
        n_top: How many top trials each setting had to keep (the y axis runs from 0 to it).
        recommended: (saved percent, top stopped, code) of the recommended setting, or None.
        subtitle: The replay's size and, when the advice is weak, that it is.
    """

    families: list[PruningFamily]
    n_top: int
    recommended: tuple[float, int, str] | None
    subtitle: str


def pruning_tradeoff_data(advice: PruningAdvice) -> PruningTradeoffData:
    """Group the replays of ``advice`` by pruner class for plotting.

    Args:
        advice: The result of :func:`albacore.pruners.advise`.
    """
    grouped: dict[str, PruningFamily] = {}
    for r in advice.replays:
        family = grouped.setdefault(r.family, PruningFamily(r.family, [], [], [], []))
        family.saved_percent.append(100.0 * r.saved_share)
        family.top_stopped.append(r.top_killed)
        family.best_kept.append(r.best_survived)
        family.codes.append(r.code)
    chosen = advice.recommended
    subtitle = f"{advice.n_complete} complete and {advice.n_cut} pruned curves replayed"
    if advice.weak:
        subtitle += " (too few complete curves: weak advice)"
    return PruningTradeoffData(
        families=list(grouped.values()),
        n_top=advice.n_top,
        recommended=None if chosen is None else (100.0 * chosen.saved_share, chosen.top_killed, chosen.code),
        subtitle=subtitle,
    )
