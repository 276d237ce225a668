"""The default grid of pruner settings the advisor replays, scaled to the length of the study's curves."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from albacore._pruning_advice._replay import Candidate
from albacore.pruners import (
    BasePruner,
    HyperbandPruner,
    MedianPruner,
    PatientPruner,
    PercentilePruner,
    SuccessiveHalvingPruner,
    WilcoxonPruner,
)

__all__ = ["default_candidates"]


def _candidate(code: str, make: Callable[[], BasePruner], family: str) -> Candidate:
    # ``code`` is the expression ``make`` evaluates, so the printed advice is what was replayed.
    return Candidate(code, family, make)


def default_candidates(n_steps: int) -> list[Candidate]:
    """Settings of every pruner family for curves of about ``n_steps`` reports.

    Warm-ups and resources are fractions of the curve (0, a tenth, a quarter, a half); startup counts are the
    usual 5, 10 and 20 trials. About 40 settings.
    """
    tenth, quarter, half = max(1, n_steps // 10), max(1, n_steps // 4), max(1, n_steps // 2)
    warmups = sorted({0, tenth, quarter, half})
    out: list[Candidate] = []
    for startup in (5, 10, 20):
        for warmup in warmups:
            out.append(
                _candidate(
                    f"MedianPruner(n_startup_trials={startup}, n_warmup_steps={warmup})",
                    partial(MedianPruner, n_startup_trials=startup, n_warmup_steps=warmup),
                    "MedianPruner",
                )
            )
    out.append(
        _candidate(
            f"MedianPruner(n_startup_trials=5, n_warmup_steps={quarter}, interval_steps={tenth})",
            partial(MedianPruner, n_startup_trials=5, n_warmup_steps=quarter, interval_steps=tenth),
            "MedianPruner",
        )
    )
    for percentile in (25.0, 75.0):
        for startup in (5, 10):
            for warmup in sorted({0, quarter}):
                out.append(
                    _candidate(
                        f"PercentilePruner({percentile}, n_startup_trials={startup}, n_warmup_steps={warmup})",
                        partial(PercentilePruner, percentile, n_startup_trials=startup, n_warmup_steps=warmup),
                        "PercentilePruner",
                    )
                )
    for resource in sorted({1, tenth, quarter}):
        for factor in (2, 3, 4):
            out.append(
                _candidate(
                    f"SuccessiveHalvingPruner(min_resource={resource}, reduction_factor={factor})",
                    partial(SuccessiveHalvingPruner, min_resource=resource, reduction_factor=factor),
                    "SuccessiveHalvingPruner",
                )
            )
    for resource in sorted({1, tenth}):
        out.append(
            _candidate(
                f"HyperbandPruner(min_resource={resource}, max_resource={n_steps}, reduction_factor=3)",
                partial(HyperbandPruner, min_resource=resource, max_resource=n_steps, reduction_factor=3),
                "HyperbandPruner",
            )
        )
    for startup_steps in sorted({0, quarter}):
        out.append(
            _candidate(
                f"WilcoxonPruner(p_threshold=0.1, n_startup_steps={startup_steps})",
                partial(WilcoxonPruner, p_threshold=0.1, n_startup_steps=startup_steps),
                "WilcoxonPruner",
            )
        )
    for patience in (2, 5):
        out.append(
            _candidate(
                f"PatientPruner(MedianPruner(n_warmup_steps={tenth}), patience={patience})",
                partial(_patient, tenth, patience),
                "PatientPruner",
            )
        )
    return out


def _patient(warmup: int, patience: int) -> BasePruner:
    return PatientPruner(MedianPruner(n_warmup_steps=warmup), patience=patience)
