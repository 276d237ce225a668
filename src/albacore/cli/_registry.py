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

__all__ = ["Command", "build_parser", "register", "registered"]


@dataclass(frozen=True)
class Command:
    """One subcommand.

    Attributes:
        path: The words that name it, e.g. ``("storage", "upgrade")``.
        help: One line shown in ``--help``.
        configure: Adds the command's own arguments to its parser.
        run: Does the work and returns the exit status; raises CLIUsageError for bad usage.
        output: Whether the command prints records (it then takes ``-f/--format``).
    """

    path: tuple[str, ...]
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    output: bool = False


_COMMANDS: dict[tuple[str, ...], Command] = {}


def register(command: Command) -> Command:
    """Add ``command`` to the ``albacore`` tool; a second command with the same path is an error."""
    if command.path in _COMMANDS:
        raise ValueError(f"The command {' '.join(command.path)!r} is registered twice.")
    _COMMANDS[command.path] = command
    return command


def registered() -> list[Command]:
    """Every registered command, in the order of their paths."""
    return [_COMMANDS[path] for path in sorted(_COMMANDS)]


def build_parser(
    root: argparse.ArgumentParser, common: argparse.ArgumentParser, output: argparse.ArgumentParser
) -> argparse.ArgumentParser:
    """Add every registered command under ``root``; ``common`` and ``output`` are parents for their options."""
    parsers: dict[tuple[str, ...], argparse.ArgumentParser] = {(): root}
    groups: dict[tuple[str, ...], argparse._SubParsersAction[argparse.ArgumentParser]] = {}

    def parser_for(
        path: tuple[str, ...], help_text: str | None, parents: list[argparse.ArgumentParser]
    ) -> argparse.ArgumentParser:
        if path in parsers:
            return parsers[path]
        parent = parser_for(path[:-1], None, [common])
        if path[:-1] not in groups:
            groups[path[:-1]] = parent.add_subparsers(title="commands", metavar="COMMAND", dest=f"_command_{len(path)}")
        made = groups[path[:-1]].add_parser(path[-1], help=help_text, description=help_text, parents=parents)
        if help_text is None:
            # A pure group: asking for it alone shows its commands.
            made.set_defaults(_run=_group_help(made))
        parsers[path] = made
        return made

    for command in registered():
        parents = [common, output] if command.output else [common]
        parser = parser_for(command.path, command.help, parents)
        command.configure(parser)
        parser.set_defaults(_run=command.run)
    return root


def _group_help(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    def show(args: argparse.Namespace) -> int:
        parser.print_help()
        return 2

    return show
