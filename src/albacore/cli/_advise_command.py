"""``albacore pruners advise``: which pruner setting a study's recorded learning curves call for."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from albacore.cli._common import find_study, open_storage
from albacore.cli._registry import Command, describe_group, register
from albacore.exceptions import CLIUsageError

if TYPE_CHECKING:
    from albacore._pruning_advice import PruningAdvice

__all__: list[str] = []


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--study-name", default=None, help="the study to replay (default: the storage's only one)")
    parser.add_argument(
        "--top-fraction",
        type=float,
        default=0.1,
        help="share of the best completed trials counted as top trials (default: 0.1)",
    )
    parser.add_argument(
        "--plot",
        metavar="FILE",
        default=None,
        help="also draw the trade-off: FILE.html with plotly, or an image (FILE.png, .svg, .pdf) with matplotlib",
    )


def _advise(args: argparse.Namespace) -> int:
    from albacore._pruning_advice import advise

    study = find_study(args, open_storage(args))
    advice = advise(study, top_fraction=args.top_fraction)
    sys.stdout.write(f"{advice}\n")
    if args.plot is not None:
        _draw(advice, args.plot)
    return 0


def _draw(advice: PruningAdvice, path: str) -> None:
    if path.endswith(".html"):
        from albacore.visualization import plot_pruning_advice

        plot_pruning_advice(advice).write_html(path)
        return
    if not path.endswith((".png", ".svg", ".pdf")):
        raise CLIUsageError(f"--plot takes a .html, .png, .svg or .pdf file name, got {path!r}.")
    from albacore.visualization.matplotlib import plot_pruning_advice as plot_with_matplotlib

    figure = plot_with_matplotlib(advice).get_figure(root=True)
    assert figure is not None  # Axes drawn by the plot always belong to a figure
    figure.savefig(path, bbox_inches="tight")


describe_group(("pruners",), "Advice on pruners, from a study's recorded learning curves.")
register(
    Command(
        path=("pruners", "advise"),
        help="Replay a study's learning curves through pruner settings; print the trade-offs and the one to use.",
        configure=_configure,
        run=_advise,
    )
)
