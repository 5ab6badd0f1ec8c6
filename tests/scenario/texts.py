"""The valid scenario the robustness tests mutate, and a way to run the CLI on a file."""

from __future__ import annotations

import re
from pathlib import Path

from ipsim.cli import main

ROOT = Path(__file__).resolve().parents[2]
BASE_PATH = ROOT / "scenarios" / "key-city-2020.yaml"
BASE_TEXT = BASE_PATH.read_text(encoding="utf-8")

MESSAGE = re.compile(
    r"^(?P<file>.+?):(?:(?P<line>\d+):(?P<column>\d+):)? (?P<key>\S+): (?P<msg>.+)$")
"""One problem as the CLI prints it: ``file:line:column: key.path: message``."""


def replace_once(text: str, old: str, new: str) -> str:
    """``text`` with the first ``old`` replaced by ``new`` (which must be there)."""
    assert old in text, f"mutation target not in the scenario: {old!r}"
    return text.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    """1-based line of the first occurrence of ``needle`` in ``text``."""
    assert needle in text, f"{needle!r} not in the text"
    return text[: text.index(needle)].count("\n") + 1


def run_cli(capsys, scenario: Path, out: Path, paths: int = 1000) -> tuple[int, str, str]:
    """``ipsim run scenario --out out --paths paths --quiet``: (status, stdout, stderr)."""
    status = main(["run", str(scenario), "--out", str(out), "--paths", str(paths), "--quiet"])
    captured = capsys.readouterr()
    return status, captured.out, captured.err
