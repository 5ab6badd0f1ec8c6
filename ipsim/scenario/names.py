"""What a scenario or variant name may be: a name, never a path.

A scenario's ``name:`` becomes the folder of its results (``results/<name>/``) and a variant's
name a label in tables and file names, so both follow one rule, :func:`name_problem`:
letters and digits of any script (``key-city-2020``, ``上海-2021``), then also ``_``, ``.``,
``+`` and ``-``; the first character a letter or a digit (so never ``.``, ``..`` or a
leading dash); at most :data:`MAX_NAME` characters. Everything else, a ``/``, a ``\\``, a NUL
or any other control character, a space, is refused. :func:`to_name` turns any text into a
name by that rule (what ``ipsim calibrate`` does to the file names it builds a variant name
from).
"""

from __future__ import annotations

import unicodedata

__all__ = ["MAX_NAME", "NAME_RULE", "name_problem", "is_name", "to_name"]

MAX_NAME = 100
"""Longest name accepted (characters)."""

NAME_RULE = (f"letters, digits and _ . + - (starting with a letter or a digit), at most "
             f"{MAX_NAME} characters")
"""The rule in words, for messages and docs."""

_PUNCT = frozenset("_.+-")


def _letter_or_digit(c: str) -> bool:
    return unicodedata.category(c)[0] in "LN"


def _allowed(c: str) -> bool:
    # Marks (category M) combine with the letter before them (Devanagari vowel signs).
    return c in _PUNCT or _letter_or_digit(c) or unicodedata.category(c)[0] == "M"


def name_problem(name: object) -> str:
    """Why ``name`` is not a valid name (``""`` if it is one).

    Examples
    --------
    >>> name_problem("key-city-2020"), name_problem("上海-2021")
    ('', '')
    >>> name_problem("../escaped")
    "'../escaped' starts with '.'; a name starts with a letter or a digit"
    """
    if not isinstance(name, str) or not name:
        return "a name must be a non-empty text"
    shown = repr(name) if len(name) <= 40 else repr(name[:37]) + "..."
    if len(name) > MAX_NAME:
        return f"{shown} has {len(name)} characters; at most {MAX_NAME} are allowed"
    if not _letter_or_digit(name[0]):
        return f"{shown} starts with {name[0]!r}; a name starts with a letter or a digit"
    bad = next((c for c in name if not _allowed(c)), None)
    if bad is not None:
        return (f"{shown} holds {bad!r}; a name is {NAME_RULE} (it names a folder, it is not "
                "a path)")
    return ""


def is_name(name: object) -> bool:
    """Whether ``name`` follows the rule of :func:`name_problem`."""
    return not name_problem(name)


def to_name(text: str, fallback: str = "variant") -> str:
    """``text`` made into a valid name: other characters become ``-``, leading characters
    that are not letters or digits are dropped, and it is cut to :data:`MAX_NAME`
    (``fallback`` if nothing is left)."""
    out = "".join(c if _allowed(c) else "-" for c in text)
    while out and not _letter_or_digit(out[0]):
        out = out[1:]
    out = out[:MAX_NAME]
    return out if out else fallback
