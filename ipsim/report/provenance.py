"""What every output records so that any figure can be made again."""

from __future__ import annotations

import datetime as dt
import platform

import numpy as np
import scipy

import ipsim

__all__ = ["provenance"]


def provenance(scenario, run) -> dict:
    """Scenario name, file and SHA-256, seed, paths, engine, chunking and versions; for a run
    that stopped at a precision, what was asked, what was reached and the cap on paths."""
    out = {
        "scenario": scenario.name,
        "scenario_file": scenario.file,
        "scenario_sha256": scenario.sha256,
        "seed": run.seed,
        "paths": run.paths,
        "engine": run.engine,
        "workers": run.workers,
        "chunk_paths": run.chunk_paths,
        "ipsim_version": ipsim.__version__,
        "numpy_version": np.__version__,
        "scipy_version": scipy.__version__,
        "python_version": platform.python_version(),
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        # texts the scenario gives per language (label: {en: .., zh: ..}), for the report
        "descriptions": dict(scenario.descriptions),
        "target_labels": {t.id: dict(t.labels) for t in scenario.targets if t.labels},
    }
    if getattr(run, "precision", None) is not None:
        out["precision"] = {"asked": run.precision, "reached": run.reached,
                            "paths_used": run.paths, "max_paths": run.max_paths,
                            "stopped_early": run.paths < run.max_paths}
    return out
