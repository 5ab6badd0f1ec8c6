"""Exceptions that carry enough context for a one-line, actionable message.

A :class:`ScenarioError` names the file, the line and column, the key path and what is
allowed; the CLI prints ``str(error)`` and exits with status 2.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["IpsimError", "ScenarioError", "ScenarioErrors", "UsageError", "ArgumentError",
           "ModelError", "did_you_mean"]


class IpsimError(Exception):
    """Base class of every error ipsim raises on purpose."""


@dataclass
class ScenarioError(IpsimError):
    """One problem in a scenario file.

    Parameters
    ----------
    file : str
        The scenario file as the user named it.
    key_path : str
        Dotted key path of the offending entry (``policy.allocation.risk_pool``); ``""``
        for the document itself.
    message : str
        What is wrong and what is allowed.
    line, column : int or None
        1-based position in the file, when known.
    constraint : bool
        The problem is a rule across keys that are each valid alone (allocation shares
        summing to more than 1, tranches paying more than the budget): a policy sweep reports
        such a point as infeasible instead of failing.
    """

    file: str
    key_path: str
    message: str
    line: int | None = None
    column: int | None = None
    constraint: bool = False

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        key = self.key_path or "(document)"
        return _one_line(f"{where}: {key}: {self.message}")


def _one_line(text: str) -> str:
    """``text`` with line breaks and other control characters escaped: one line always."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class ScenarioErrors(IpsimError):
    """Every problem found in one or more scenario files (validation does not stop at one)."""

    def __init__(self, errors: Iterable[ScenarioError]):
        self.errors = sorted(errors, key=lambda e: (e.file, e.line or 0, e.column or 0))
        super().__init__("\n".join(str(e) for e in self.errors))


class UsageError(IpsimError):
    """A bad request: an argument out of range, a run too long or too large (exit status 2)."""


class ArgumentError(UsageError):
    """A bad value of one argument of a public function, named as Python names it.

    The message names the argument (``paths``), never a command-line flag: the command line
    (:mod:`ipsim.cli`) maps :attr:`argument` to its flag (``--paths``) when it reports the
    error, so the same error reads right in a notebook and in a terminal.

    Parameters
    ----------
    argument : str
        The argument's Python name (``"paths"``, ``"chunk_paths"``, ``"out"``).
    message : str
        What is wrong and what is allowed (``"must be >= 1, got 0"``).
    value : str, optional
        The offending value as written, shown after the argument (``"out results/x: ..."``).
    """

    def __init__(self, argument: str, message: str, value: str | None = None):
        self.argument, self.message, self.value = argument, message, value
        super().__init__(self.render(argument))

    def render(self, name: str) -> str:
        """The message with the argument called ``name`` (e.g. its flag)."""
        head = name if self.value is None else f"{name} {self.value}"
        return f"{head}: {self.message}"


class ModelError(IpsimError):
    """The model produced an impossible value (NaN, a negative stock): names mechanism and month."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest choice, or ``""`` if none is close."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
