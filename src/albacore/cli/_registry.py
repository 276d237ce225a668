"""The registry of ``albacore`` subcommands, from which the argument parser is built.

A command module registers each command with :func:`register`; a path of several words makes a command
group (``storage upgrade``), and a word may be both a command and a group (``trials`` lists trials,
``trials reap`` could act on them). Adding a command means adding a module that registers it and importing
that module in ``albacore/cli/__init__.py``; nothing else changes.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Command", "build_parser", "describe_group", "register", "registered"]


@dataclass(frozen=True)
class Command:
    """One subcommand.

    Attributes:
        path: The words that name it, e.g. ``("storage", "upgrade")``.
        help: One line shown in ``--help``.
        configure: Adds the command's own arguments to its parser.
        run: Does the work and returns the exit status; raises CLIUsageError for bad usage.
        output: Whether the command prints records (it then takes ``-f/--format`` and ``--flatten``).
        default_format: The output format when ``-f`` is not given: value, table, json or yaml.
    """

    path: tuple[str, ...]
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    output: bool = False
    default_format: str = "table"


_COMMANDS: dict[tuple[str, ...], Command] = {}
_GROUPS: dict[tuple[str, ...], str] = {}


def register(command: Command) -> Command:
    """Add ``command`` to the ``albacore`` tool; a second command with the same path is an error."""
    if command.path in _COMMANDS:
        raise ValueError(f"The command {' '.join(command.path)!r} is registered twice.")
    _COMMANDS[command.path] = command
    return command


def describe_group(path: tuple[str, ...], help_text: str) -> None:
    """Give the command group ``path`` (e.g. ``("storage",)``) its line in ``--help``."""
    _GROUPS[path] = help_text


def registered() -> list[Command]:
    """Every registered command, in the order of their paths."""
    return [_COMMANDS[path] for path in sorted(_COMMANDS)]


def build_parser(
    root: argparse.ArgumentParser,
    common: argparse.ArgumentParser,
    output_options: Callable[[argparse.ArgumentParser, str], None],
) -> argparse.ArgumentParser:
    """Add every registered command under ``root``, with the options of ``common`` (a parent parser); commands
    that print records get theirs from ``output_options(parser, default_format)``."""
    parsers: dict[tuple[str, ...], argparse.ArgumentParser] = {(): root}
    groups: dict[tuple[str, ...], argparse._SubParsersAction[argparse.ArgumentParser]] = {}

    def parser_for(
        path: tuple[str, ...], help_text: str | None, parents: list[argparse.ArgumentParser]
    ) -> argparse.ArgumentParser:
        if path in parsers:
            return parsers[path]
        parent = parser_for(path[:-1], _GROUPS.get(path[:-1]), [common])
        if path[:-1] not in groups:
            groups[path[:-1]] = parent.add_subparsers(title="commands", metavar="COMMAND", dest=f"_command_{len(path)}")
        made = groups[path[:-1]].add_parser(path[-1], help=help_text, description=help_text, parents=parents)
        if path not in _COMMANDS:
            # A pure group: asking for it alone shows its commands.
            made.set_defaults(_run=_group_help(made), _parser=made)
        parsers[path] = made
        return made

    for command in registered():
        parser = parser_for(command.path, command.help, [common])
        if command.output:
            # Added to each parser rather than shared through a parent: argparse shares a parent's actions, so one
            # command's default format would become every command's.
            output_options(parser, command.default_format)
        command.configure(parser)
        parser.set_defaults(_run=command.run, _parser=parser)
    return root


def _group_help(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    def show(args: argparse.Namespace) -> int:
        parser.print_help()
        return 2

    return show
