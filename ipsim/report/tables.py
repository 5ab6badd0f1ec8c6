"""Tables of a run: ``summary.json``, ``attainment.csv`` and ``indicators.csv``."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

from ipsim.runtime.atomic import write_atomic

__all__ = ["write_json", "write_csv", "to_csv"]


def _clean(obj):
    """JSON-safe copy: NaN and infinities become None."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    return obj


def write_json(path: str | Path, data: dict) -> None:
    """Write ``data`` as indented JSON, atomically."""
    write_atomic(path, json.dumps(_clean(data), indent=2, ensure_ascii=False) + "\n")


def to_csv(rows: list[dict]) -> str:
    """CSV text of a list of same-keyed dicts (header from the first row)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(_clean(rows))
    return buf.getvalue()


def write_csv(path: str | Path, rows: list[dict], comment: str = "") -> None:
    """Write rows as CSV, atomically; ``comment`` lines go first, each prefixed ``# ``."""
    head = "".join(f"# {line}\n" for line in comment.splitlines())
    write_atomic(path, head + to_csv(rows))
