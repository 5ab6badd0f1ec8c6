"""The validated, immutable form of a scenario: what every engine and analysis reads.

Nothing here parses or validates (that is :mod:`ipsim.scenario.validate`); these are plain
frozen dataclasses, so a loaded scenario cannot change while it runs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import special

from ipsim.model.measures import measure

if TYPE_CHECKING:
    from scipy import stats

__all__ = ["Distribution", "Tranche", "Midterm", "Policy", "Target", "Scenario", "Lever", "Point",
           "DISTRIBUTIONS", "frozen_map", "FrozenMap"]

DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "normal": ("mean", "sd"),
    "lognormal": ("median", "sigma"),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "beta": ("a", "b", "low", "high"),
    "gamma": ("shape", "scale"),
}
"""Distribution name -> its parameters, as written in a scenario.

``lognormal``: ``median`` is ``exp(mu)`` and ``sigma`` the standard deviation of the log.
``beta``: on ``[low, high]`` (default ``[0, 1]``). ``gamma``: ``scale`` in the unit of the
parameter."""


class FrozenMap(Mapping):
    """A read-only, picklable mapping (a copy of the mapping it is made from)."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping = ()):
        self._data = dict(data)

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self):
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"

    def __getstate__(self):
        return self._data

    def __setstate__(self, state):
        self._data = state


def frozen_map(d: Mapping) -> Mapping:
    """A read-only copy of ``d``."""
    return FrozenMap(d)


def _triangular(y: float, c: float) -> tuple[float, float]:
    """CDF and survival function of the standard triangular law with mode ``c`` at ``y``."""
    if y <= 0.0:
        return 0.0, 1.0
    if y >= 1.0:
        return 1.0, 0.0
    if y < c:
        cdf = y * y / c
        return cdf, 1.0 - cdf
    sf = (1.0 - y) ** 2 / (1.0 - c)
    return 1.0 - sf, sf


@dataclass(frozen=True)
class Distribution:
    """An uncertain parameter: drawn once per path, by inversion of a uniform draw."""

    kind: str
    args: Mapping[str, float]

    def frozen(self) -> stats.rv_continuous:
        """The equivalent frozen ``scipy.stats`` distribution."""
        from scipy import stats  # here, not at the top: 60 MiB and 0.5 s the engine needs not
        a = self.args
        match self.kind:
            case "normal":
                return stats.norm(a["mean"], a["sd"])
            case "lognormal":
                return stats.lognorm(a["sigma"], scale=a["median"])
            case "uniform":
                return stats.uniform(a["low"], a["high"] - a["low"])
            case "triangular":
                width = a["high"] - a["low"]
                return stats.triang((a["mode"] - a["low"]) / width, a["low"], width)
            case "beta":
                low, high = a.get("low", 0.0), a.get("high", 1.0)
                return stats.beta(a["a"], a["b"], low, high - low)
            case "gamma":
                return stats.gamma(a["shape"], scale=a["scale"])
        raise ValueError(f"unknown distribution {self.kind!r}")

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """The quantile function ``F^{-1}(u)`` for ``u`` in [0, 1).

        The same numbers as :meth:`frozen`'s ``ppf`` (the same ``scipy.special`` function
        and order of operations, ``standard quantile * scale + loc``; ``tests/scenario/
        test_load.py`` checks them bit for bit), without the per-call set-up of
        ``scipy.stats`` (about a millisecond a parameter, most of the fixed cost of a small
        engine call).
        """
        a, u = self.args, np.asarray(u, float)
        match self.kind:
            case "normal":
                return special.ndtri(u) * a["sd"] + a["mean"]
            case "lognormal":
                return np.exp(a["sigma"] * special.ndtri(u)) * a["median"] + 0.0
            case "uniform":
                return u * (a["high"] - a["low"]) + a["low"]
            case "triangular":
                width = a["high"] - a["low"]
                c = (a["mode"] - a["low"]) / width
                x = np.where(u < c, np.sqrt(c * u), 1 - np.sqrt((1 - c) * (1 - u)))
                return x * width + a["low"]
            case "beta":
                low, high = a.get("low", 0.0), a.get("high", 1.0)
                return special.betaincinv(a["a"], a["b"], u) * (high - low) + low
            case "gamma":
                return special.gammaincinv(a["shape"], u) * a["scale"] + 0.0
        raise ValueError(f"unknown distribution {self.kind!r}")

    def mass_outside(self, low: float, high: float) -> float:
        """``P(X < low) + P(X > high)``: :meth:`frozen`'s ``cdf(low) + sf(high)`` from the same
        ``scipy.special`` functions (``tests/scenario/test_load.py`` compares them), without
        importing ``scipy.stats`` (60 MiB and half a second that the engine needs not)."""
        a = self.args
        match self.kind:
            case "normal":
                return float(special.ndtr((low - a["mean"]) / a["sd"])
                             + special.ndtr((a["mean"] - high) / a["sd"]))
            case "lognormal":
                below = special.ndtr(np.log(low / a["median"]) / a["sigma"]) if low > 0 else 0.0
                above = special.ndtr(np.log(a["median"] / high) / a["sigma"]) if high > 0 else 1.0
                return float(below + above)
            case "gamma":
                return float(special.gammainc(a["shape"], max(low, 0.0) / a["scale"])
                             + special.gammaincc(a["shape"], max(high, 0.0) / a["scale"]))
        lo, hi = a.get("low", 0.0), a.get("high", 1.0)     # (beta's range is optional)
        y_low, y_high = (min(max((x - lo) / (hi - lo), 0.0), 1.0) for x in (low, high))
        match self.kind:
            case "uniform":
                return y_low + (1.0 - y_high)
            case "beta":
                return float(special.betainc(a["a"], a["b"], y_low)
                             + special.betainc(a["b"], a["a"], 1.0 - y_high))
            case "triangular":
                c = (a["mode"] - lo) / (hi - lo)
                return _triangular(y_low, c)[0] + _triangular(y_high, c)[1]
        raise ValueError(f"unknown distribution {self.kind!r}")

    def from_uniform(self, u: np.ndarray, low: float, high: float) -> np.ndarray:
        """Values ``F^{-1}(u)``, clipped to the parameter's range ``[low, high]``."""
        return np.clip(self.ppf(u), low, high)

    def mean(self) -> float:
        """Mean of the distribution (for reports)."""
        return float(self.frozen().mean())


@dataclass(frozen=True)
class Tranche:
    """A payment of central funds after ``month`` months (0 = at the start), in yuan."""

    month: int
    amount: float
    conditional: bool = False


@dataclass(frozen=True)
class Midterm:
    """The mid-term evaluation rule (see :mod:`ipsim.model.funding`)."""

    month: int
    rule: str = "on_track"
    targets: tuple[str, ...] = ()
    min_on_track: int = 1
    tolerance: float = 1.0


@dataclass(frozen=True)
class Policy:
    """How the money is spent: budget (yuan), tranches, lever shares, fast track, gate."""

    budget: float
    tranches: tuple[Tranche, ...]
    allocation: Mapping[str, float]
    fast_track_share: float
    midterm: Midterm | None


@dataclass(frozen=True)
class Target:
    """One programme target: ``measure(indicator) op threshold``.

    ``event`` targets are met when the first occurrence is at or before ``by_month``.
    """

    id: str
    indicator: str
    measure: str
    op: str
    threshold: float
    by_month: int | None = None
    label: str = ""
    labels: tuple[tuple[str, str], ...] = ()
    """The label per language, when the scenario gives one (``(("zh", "..."),)``)."""

    def label_in(self, lang: str) -> str:
        """The label in ``lang`` if the scenario gives one, else :attr:`label`."""
        return dict(self.labels).get(lang, self.label)

    def describe(self) -> str:
        """Human-readable statement of the target (its measure's
        :meth:`~ipsim.model.measures.Measure.describe`)."""
        return measure(self.measure).describe(self.indicator, self.op, self.threshold,
                                              self.by_month)


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: everything a run needs, immutable.

    ``parameters`` maps a mechanism section to its parameters, each a number or a
    :class:`Distribution`; every parameter of every mechanism is present (defaults filled).
    ``correlations`` maps a pair of uncertain parameters ``("section.name",
    "section.name")`` (in the copula's order, :func:`ipsim.scenario.correlations.order`) to
    their rank correlation; a pair not in it is uncorrelated. ``provenance`` holds the
    file's :class:`ipsim.scenario.provenance.Source` entries (it does not change the model);
    ``warnings`` the problems found that do not stop it (a provenance entry that contradicts
    its figure), as :class:`ipsim.errors.ScenarioError`. ``raw`` and ``marks`` are the data it
    was validated from and their line marks (:mod:`ipsim.scenario.yaml_loader`), kept so that
    a variant or a sweep point can be built from it with overrides and errors still point at
    lines; treat them as read-only.
    """

    name: str
    description: str
    seed: int
    horizon_months: int
    start_year: int
    baseline: Mapping[str, float]
    parameters: Mapping[str, Mapping[str, float | Distribution]]
    policy: Policy
    targets: tuple[Target, ...]
    correlations: Mapping[tuple[str, str], float] = field(default_factory=lambda: FrozenMap())
    provenance: tuple = ()
    file: str = ""
    text: str = field(default="", repr=False)
    raw: Mapping | None = field(default=None, repr=False, compare=False)
    marks: object = field(default=None, repr=False, compare=False)
    warnings: tuple = field(default=(), repr=False, compare=False)
    descriptions: tuple[tuple[str, str], ...] = ()
    """The description per language, when the scenario gives one."""

    @property
    def years(self) -> int:
        """Whole years in the horizon."""
        return self.horizon_months // 12

    @property
    def sha256(self) -> str:
        """SHA-256 of the scenario's source text (hex)."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def target(self, tid: str) -> Target:
        """The target with id ``tid``."""
        return next(t for t in self.targets if t.id == tid)

    def comparable_with(self, other: Scenario) -> str:
        """Why ``other`` cannot be compared with this scenario path by path (``""`` if it
        can): the targets must be the same (ids, in order), so that the counts line up column
        by column."""
        ids, others = [t.id for t in self.targets], [t.id for t in other.targets]
        if ids != others:
            return (f"variant '{other.name}' has targets {', '.join(others)}; a comparison "
                    f"needs the base's targets ({', '.join(ids)}) in the same order (override "
                    "a target's threshold, not the list)")
        return ""

    def uncertain(self) -> list[tuple[str, str, Distribution]]:
        """Every uncertain parameter as ``(section, name, distribution)``, in a fixed order."""
        return [(s, n, v) for s, ps in sorted(self.parameters.items())
                for n, v in sorted(ps.items()) if isinstance(v, Distribution)]


@dataclass(frozen=True)
class Lever:
    """A swept key path and its values, in order."""

    key: str
    path: tuple   # the key path, as ipsim.scenario.overrides.parse_key_path gives it
    values: tuple

    @property
    def label(self) -> str:
        """Short name for tables: the last named segment (``risk_pool``)."""
        return next(str(p) for p in reversed(self.path) if isinstance(p, str))


@dataclass(frozen=True)
class Point:
    """One point of a sweep: its lever values, all its overrides and its scenario.

    ``scenario`` is None and ``infeasible`` says why when the point breaks a constraint.
    """

    index: int
    values: tuple
    overrides: Mapping[str, Any]
    scenario: Scenario | None
    infeasible: str = ""

    @property
    def feasible(self) -> bool:
        return self.scenario is not None
