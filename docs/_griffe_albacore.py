"""Griffe extension for the API reference: reads albacore's docstrings as their authors wrote them.

albacore's docstrings head their doctests ``Example:`` (griffe's Google parser knows only ``Examples:``, and would
render the doctest as prose) and name other objects with Sphinx roles (``:class:`Study```), shown here as code.
"""

from __future__ import annotations

import re
from typing import Any

from griffe import Docstring, Extension, Module, Object

_EXAMPLE_HEADING = re.compile(r"^(\s*)Example:\s*$", re.MULTILINE)
_SPHINX_ROLE = re.compile(r":(?:mod|class|func|meth|attr|exc|data|obj):`~?([^`]+)`")


class AlbacoreDocstrings(Extension):
    """Rewrite each docstring's ``Example:`` heading and Sphinx roles before griffe parses it."""

    def on_instance(self, *, obj: Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            text = _EXAMPLE_HEADING.sub(r"\1Examples:", obj.docstring.value)
            obj.docstring.value = _SPHINX_ROLE.sub(r"`\1`", text)


class InheritedDocstrings(Extension):
    """Give an overriding method without a docstring its base class's (``Trial.suggest_float`` from ``BaseTrial``)."""

    def on_package(self, *, pkg: Module, **kwargs: Any) -> None:
        if pkg.name == "albacore":
            _inherit(pkg, set())


def _inherit(obj: Object, seen: set[str]) -> None:
    if obj.path in seen:
        return
    seen.add(obj.path)
    for member in list(obj.members.values()):
        if member.is_alias:
            continue
        if member.is_class:
            try:
                bases = member.mro()
            except Exception:  # noqa: BLE001 - a base griffe cannot resolve (a third-party class) has nothing to give
                bases = []
            for name, child in member.members.items():
                if child.is_alias or child.docstring is not None:
                    continue
                for base in bases:
                    inherited = base.members.get(name)
                    if inherited is not None and not inherited.is_alias and inherited.docstring is not None:
                        child.docstring = Docstring(inherited.docstring.value, parent=child)
                        break
        if member.is_module or member.is_class:
            _inherit(member, seen)
