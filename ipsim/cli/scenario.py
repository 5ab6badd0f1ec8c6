"""``ipsim validate FILE...`` and ``ipsim schema``: check scenarios, print their reference."""

from __future__ import annotations

import sys
from collections.abc import Callable

from ipsim.errors import ScenarioErrors

__all__ = ["add_parsers", "validate", "schema"]


def add_parsers(sub) -> None:
    val = sub.add_parser("validate", help="check scenario files and report every problem")
    val.add_argument("scenarios", nargs="+", help="scenario YAML files")
    sub.add_parser("schema", help="print the scenario file reference (docs/scenario.md)")


def validate(args, arm: Callable[[], None]) -> int:
    from ipsim.cli.options import warn
    from ipsim.scenario.variants import load_variants

    arm()
    problems = []
    for path in args.scenarios:
        try:
            # the scenario and its variants (or a variant file and its base)
            base, variants = load_variants(path)
            warn(base, *variants)
            print(f"{path}: ok")
        except ScenarioErrors as exc:
            problems.extend(exc.errors)
    for p in problems:
        print(p, file=sys.stderr)
    return 2 if problems else 0


def schema(args, arm: Callable[[], None]) -> int:
    from ipsim.scenario.reference import render_markdown

    arm()
    sys.stdout.write(render_markdown())
    return 0
