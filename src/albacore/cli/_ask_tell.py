"""``albacore ask`` and ``albacore tell``: run trials from the shell, one process per step.

``ask`` starts a trial of an existing study and prints its number and the parameters it drew from
``--search-space`` (JSON: parameter name -> distribution as :func:`albacore.distributions.distribution_to_json`
writes it); ``tell`` finishes it with its values or a state.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from albacore.cli._common import CommandFailed, find_study, open_storage
from albacore.cli._output import Column, emit
from albacore.cli._registry import Command, register
from albacore.exceptions import CLIUsageError, InvalidArgumentError, UpdateFinishedTrialError
from albacore.logging import get_logger

if TYPE_CHECKING:
    from albacore.distributions import BaseDistribution
    from albacore.samplers import BaseSampler

__all__ = ["parse_json"]

_logger = get_logger(__name__)
_EXCERPT = 30  # characters of JSON shown on each side of where it broke
_SEARCH_SPACE_EXAMPLE = (
    '\'{"x": {"name": "FloatDistribution", "attributes": {"low": 0.0, "high": 1.0}}, '
    '"c": {"name": "CategoricalDistribution", "attributes": {"choices": ["a", "b"]}}}\''
)
_NO_IMPLICIT_STUDY = (
    "Implicit study creation within the 'ask' command was dropped in Optuna v4.0.0. Create the study first "
    "with `albacore create-study --study-name {name}`."
)


def parse_json(text: str, argument: str) -> Any:
    """``text`` parsed as JSON; if it does not parse, a CLIUsageError that names ``argument`` and shows where."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        line = text.splitlines()[err.lineno - 1] if text.strip() else ""
        start = max(0, err.colno - 1 - _EXCERPT)
        excerpt = line[start : err.colno - 1 + _EXCERPT]
        caret = " " * (err.colno - 1 - start) + "^"
        raise CLIUsageError(
            f"{argument} is not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}:\n"
            f"    {excerpt}\n    {caret}"
        ) from None


def _distribution(name: str, spec: Any) -> BaseDistribution:
    from albacore.distributions import json_to_distribution

    try:
        loaded = json_to_distribution(spec if isinstance(spec, str) else json.dumps(spec))
        # Rebuilt through its constructor, so that a range like low > high is refused here, with its reason.
        return type(loaded)(**loaded._asdict())
    except (InvalidArgumentError, TypeError, KeyError, ValueError) as err:
        raise CLIUsageError(f"--search-space: the distribution of {name!r} is not valid: {err}") from None


def _search_space(text: str | None) -> dict[str, BaseDistribution]:
    if text is None:
        return {}
    space = parse_json(text, "--search-space")
    if not isinstance(space, dict):
        raise CLIUsageError(
            f"--search-space must be a JSON object of parameter names and distributions, e.g. {_SEARCH_SPACE_EXAMPLE}; "
            f"got {type(space).__name__}."
        )
    return {name: _distribution(name, spec) for name, spec in space.items()}


def _sampler_names() -> list[str]:
    import albacore.samplers as samplers

    return [
        name
        for name in samplers.__all__
        if not name.startswith("Base")
        and isinstance(getattr(samplers, name), type)
        and issubclass(getattr(samplers, name), samplers.BaseSampler)
    ]


def _sampler(name: str | None, kwargs_text: str | None) -> BaseSampler | None:
    import albacore.samplers as samplers

    if name is None:
        if kwargs_text is not None:
            raise CLIUsageError(
                "`--sampler_kwargs` is set without `--sampler`. Name the sampler (e.g. --sampler TPESampler) or "
                "drop --sampler-kwargs."
            )
        return None
    if name not in _sampler_names():
        raise CLIUsageError(f"Unknown --sampler {name!r}; the samplers are: {', '.join(_sampler_names())}.")
    kwargs = {} if kwargs_text is None else parse_json(kwargs_text, "--sampler-kwargs")
    if not isinstance(kwargs, dict):
        raise CLIUsageError(
            f"--sampler-kwargs must be a JSON object of {name}'s arguments, e.g. '{{\"seed\": 0}}'; "
            f"got {type(kwargs).__name__}."
        )
    sampler_class = getattr(samplers, name)
    try:
        sampler: BaseSampler = sampler_class(**kwargs)
    except (TypeError, ValueError) as err:
        raise CLIUsageError(f"--sampler-kwargs do not fit {name}: {err}") from None
    return sampler


def _configure_ask(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--study-name", default=None, help="the study (default: the storage's only study)")
    parser.add_argument("--sampler", default=None, metavar="NAME", help="sampler class, e.g. TPESampler")
    parser.add_argument("--sampler-kwargs", default=None, metavar="JSON", help="its arguments, e.g. '{\"seed\": 0}'")
    parser.add_argument(
        "--search-space",
        default=None,
        metavar="JSON",
        help="parameters to draw: names and distributions as distribution_to_json writes them, e.g. "
        + _SEARCH_SPACE_EXAMPLE.replace("%", "%%"),
    )


def _ask(args: argparse.Namespace) -> int:
    # The arguments are checked before the storage is opened: a typo costs no connection and writes nothing.
    sampler = _sampler(args.sampler, args.sampler_kwargs)
    search_space = _search_space(args.search_space)
    study = find_study(args, open_storage(args), sampler=sampler, not_found=_NO_IMPLICIT_STUDY)
    trial = study.ask(fixed_distributions=search_space)
    trial._flush()  # the parameters must be stored before this process ends; `tell` runs in another one
    params = trial.params
    _logger.info(f"Asked trial {trial.number} with parameters {params}.")
    emit(
        {"number": trial.number, "params": params},
        args.format,
        [Column("number"), Column("params", nested=True)],
        flatten=args.flatten,
    )
    return 0


def _configure_tell(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--study-name", default=None, help="the study (default: the storage's only study)")
    parser.add_argument("--trial-number", type=int, required=True, help="the number `ask` printed")
    parser.add_argument("--values", type=float, nargs="+", default=None, help="the objective value(s)")
    parser.add_argument(
        "--state",
        choices=("complete", "pruned", "fail"),
        default=None,
        help="how the trial ended (default: complete when --values are given)",
    )
    parser.add_argument("--skip-if-finished", action="store_true", help="do nothing if the trial is finished already")


def _tell(args: argparse.Namespace) -> int:
    from albacore.trial import TrialState

    if args.values is None and args.state in (None, "complete"):
        raise CLIUsageError("Give the trial's --values (or --state pruned or --state fail).")
    if args.values is not None and args.state == "fail":
        raise CLIUsageError("A failed trial has no values: give --values or --state fail, not both.")
    state = None if args.state is None else TrialState[args.state.upper()]
    study = find_study(args, open_storage(args))
    number = args.trial_number
    count = len(study.get_trials(deepcopy=False))
    if not 0 <= number < count:
        known = f"its trials are numbered 0 to {count - 1}" if count else "it has no trials yet"
        raise CommandFailed(f"Study {study.study_name!r} has no trial number {number}; {known}.")
    try:
        finished = study.tell(number, values=args.values, state=state, skip_if_finished=args.skip_if_finished)
    except UpdateFinishedTrialError:
        done = study.get_trials(deepcopy=False)[number].state.name
        raise CommandFailed(
            f"Trial {number} of study {study.study_name!r} is finished already ({done}); pass --skip-if-finished "
            "to make telling it again do nothing."
        ) from None
    except InvalidArgumentError as err:
        raise CLIUsageError(str(err)) from None
    _logger.info(f"Trial {number} is {finished.state.name} with values {finished.values}.")
    return 0


register(
    Command(
        ("ask",),
        "Start a trial of a study and print its number and parameters.",
        _configure_ask,
        _ask,
        output=True,
        default_format="json",
    )
)
register(Command(("tell",), "Finish a trial started by `ask` with its values or a state.", _configure_tell, _tell))
