"""How long and how much memory a run will take, estimated before it starts.

A run is refused (as a usage error) when the estimate is unreasonable, so that
``paths=10_000_000_000`` or a chunk bigger than the machine's memory says so at once
instead of running for days or being killed by the operating system.

The constants were measured with the vectorised engine on the key-city scenario (36 months,
about 120 µs and 2.7 kB a path on one core of the machine used for development); they scale with the
horizon and the number of scenarios simulated on the same paths.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ipsim.errors import ArgumentError

__all__ = ["Estimate", "estimate", "check", "physical_memory", "US_PER_PATH_MONTH",
           "ENGINE_US_PER_PATH_MONTH",
           "BYTES_PER_PATH_MONTH", "MAX_HOURS", "MAX_MEMORY_SHARE"]

US_PER_PATH_MONTH = 3.5
"""CPU time a path costs per simulated month and scenario (µs), measured, rounded up."""

ENGINE_US_PER_PATH_MONTH = {"vectorised": US_PER_PATH_MONTH, "des": 800.0}
"""The same for each engine: the discrete-event engine was measured about 240 times slower
than the vectorised one in one run (1,295 against 5.4 µs a path and month on a loaded
machine, load average 12.9 on 2 cores), so 240 x 3.5 µs, rounded down."""

BYTES_PER_PATH_MONTH = 80
"""Peak working memory of a chunk per path, month and scenario (bytes), measured."""

KEPT_BYTES_PER_PATH_YEAR = 20 * 8
"""Memory of a kept path per year and scenario: about 20 float64 series (bytes)."""

MAX_HOURS = 12.0
"""Longest estimated wall-clock time accepted (hours)."""

MAX_MEMORY_SHARE = 0.5
"""Largest share of the machine's physical memory a run may be estimated to need."""


@dataclass(frozen=True)
class Estimate:
    """What a run is expected to cost.

    Attributes
    ----------
    seconds : float
        Wall-clock time (s) on ``workers`` processes.
    memory : int
        Peak memory (bytes): one chunk per busy worker plus the kept paths.
    workers : int
        Processes that will be busy (at most the CPUs and the chunks).
    """

    seconds: float
    memory: int
    workers: int
    us_per_path_month: float = US_PER_PATH_MONTH


def physical_memory() -> int | None:
    """The machine's physical memory in bytes (``os.sysconf``), or None if unknown."""
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return None
    return pages * size if pages > 0 and size > 0 else None


def estimate(paths: int, months: int, scenarios: int, workers: int, chunk_paths: int,
             keep_paths: int, engine: str = "vectorised") -> Estimate:
    """Estimate the time and memory of a run.

    Parameters
    ----------
    paths : int
        Monte Carlo paths.
    months : int
        Longest horizon of the scenarios (months).
    scenarios : int
        Scenarios simulated on every path (a base and its variants).
    workers : int
        Worker processes asked for.
    chunk_paths : int
        Paths per chunk (after rounding to whole blocks).
    keep_paths : int
        Paths kept whole for quantiles and plots.
    engine : str
        A key of :data:`ENGINE_US_PER_PATH_MONTH` (another engine, e.g. one a test
        registers, is costed as the vectorised one).
    """
    cost = ENGINE_US_PER_PATH_MONTH.get(engine, ENGINE_US_PER_PATH_MONTH["vectorised"])
    chunk = min(chunk_paths, paths)
    chunks = -(-paths // chunk)
    busy = max(1, min(workers, os.cpu_count() or 1, chunks))
    cpu_s = paths * months * scenarios * cost * 1e-6
    memory = (busy * chunk * months * BYTES_PER_PATH_MONTH * scenarios
              + min(keep_paths, paths) * (months // 12 + 1) * KEPT_BYTES_PER_PATH_YEAR
              * scenarios)
    return Estimate(cpu_s / busy, int(memory), busy, cost)


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:,.0f} hours"


def check(est: Estimate, paths: int, *, max_hours: float = MAX_HOURS,
          memory: int | None = None) -> None:
    """Refuse a run whose estimate is unreasonable.

    Parameters
    ----------
    est : Estimate
        From :func:`estimate`.
    paths : int
        The paths asked for (named in the message).
    max_hours : float
        Longest accepted wall-clock time (hours).
    memory : int, optional
        Physical memory (bytes); default :func:`physical_memory`.

    Raises
    ------
    UsageError
        With the estimate and what to change.
    """
    if est.seconds > max_hours * 3600:
        raise ArgumentError("paths", f"would take about {_duration(est.seconds)} on "
                            f"{est.workers} worker(s) (estimated {est.us_per_path_month:g} µs "
                            f"a path and month); the limit is {max_hours:g} hours: use fewer "
                            f"paths or more workers", value=f"{paths:,}")
    memory = physical_memory() if memory is None else memory
    if memory and est.memory > MAX_MEMORY_SHARE * memory:
        raise ArgumentError("chunk_paths", f"the run would need about "
                            f"{est.memory / 2**30:,.1f} GiB of memory ({est.workers} "
                            f"worker(s) holding one chunk each), more than "
                            f"{MAX_MEMORY_SHARE:.0%} of this machine's "
                            f"{memory / 2**30:,.1f} GiB: use smaller chunks or fewer workers")
