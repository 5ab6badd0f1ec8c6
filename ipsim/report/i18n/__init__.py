"""The strings people read, one catalogue per language: ``en.toml`` and ``zh.toml``.

Every fixed string of the report, the plots, the terminal tables and the messages a user
sees most is a key here (``plot.median``, ``report.title``, ...), looked up with
:func:`tr`. Both catalogues hold the same keys (a test checks it); a value may hold
``{name}`` fields, filled by :func:`tr`'s keyword arguments. Texts that come from the
scenario (labels, descriptions, provenance notes) are not here: the scenario gives them,
per language where it wants (``label: {en: ..., zh: ...}``).
"""

from __future__ import annotations

import functools
import tomllib
from importlib import resources

__all__ = ["LANGUAGES", "catalogue", "tr", "Words"]

LANGUAGES = ("en", "zh")
"""Languages with a catalogue; ``en`` is the default."""


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    out = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = str(value)
    return out


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """Key -> text of language ``lang`` (one of :data:`LANGUAGES`).

    Raises
    ------
    ValueError
        ``lang`` has no catalogue.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    text = resources.files(__package__).joinpath(f"{lang}.toml").read_text(encoding="utf-8")
    return _flatten(tomllib.loads(text))


def tr(lang: str, key: str, **fields) -> str:
    """The text of ``key`` in ``lang``, with ``{name}`` fields filled from ``fields``."""
    text = catalogue(lang)[key]
    return text.format(**fields) if fields else text


class Words:
    """:func:`tr` bound to one language: ``w = Words("zh"); w("plot.median")``."""

    def __init__(self, lang: str = "en"):
        catalogue(lang)
        self.lang = lang

    def __call__(self, key: str, **fields) -> str:
        return tr(self.lang, key, **fields)

    def has(self, key: str) -> bool:
        """Whether the catalogue holds ``key``."""
        return key in catalogue(self.lang)
