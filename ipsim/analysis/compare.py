"""Policy variants compared on common random numbers: paired differences of attainment.

How the pairing is guaranteed
-----------------------------
:func:`ipsim.study.pipeline.run` simulates the base and every variant on the same paths, chunk by
chunk, and four properties of the engine make "the same path" mean the same luck:

1. **One stream per block of paths and per mechanism** (:mod:`ipsim.engines.streams`): the
   generator of block ``b`` and stream ``name`` is seeded from the run's seed with spawn key
   ``(b, crc32(name))``. A path's random numbers depend on the seed, its block and the
   stream only: not on the scenario, the chunking or the number of workers.
2. **Fixed consumption**: every month each mechanism draws an array of a fixed shape from
   its own stream (the common shocks one column for the economy and one per shock series,
   every other mechanism the columns it declares: :attr:`ipsim.model.mechanism.Mechanism.
   draws`) whatever the policy and the state: no rejection sampling, no draw-until loops, no
   state-dependent sizes. Month ``m`` of path ``i`` sees the same
   numbers in every variant, and a lever of one mechanism cannot shift another's numbers.
3. **Parameter draws by inversion, one named stream each**: an uncertain parameter is
   ``F^{-1}(u)`` with ``u`` one uniform per path from stream ``param:<section>.<name>``.
4. **Counts monotone in their means** (:mod:`ipsim.model.draws`): fixed normals become
   Poisson counts and Gamma amounts by non-decreasing maps, and chance events compare a
   fixed normal with a threshold, so a lever that raises a rate moves a path's counts up and
   never reshuffles them.

Only the *discordant* paths (where a policy tips a target one way or the other) carry the
difference, so its variance is ``(p10 + p01 - d^2) / n`` instead of
``(p1 (1 - p1) + p2 (1 - p2)) / n`` for two independent runs; the paired interval is
estimated from the observed discordance (:mod:`ipsim.analysis.paired`) and stays valid
however weak the pairing turns out to be. It only gets wider.

Where the pairing is weaker or cannot hold (:func:`pairing_notes` reports each case):

* a variant that **changes the horizon** consumes more (or fewer) months of every stream;
  the first months still pair, but spending is spread over a different number of months and
  the targets are judged on a different period;
* a variant that **adds (or removes) an uncertain parameter** draws (or stops drawing) from
  that parameter's own stream only: every other number is unchanged (tested);
* a variant that **changes a distribution's kind** (normal to triangular) keeps the same
  uniform per path, so the values are coupled by quantile (by rank), not equal;
* the map from numbers to outcomes is monotone mechanism by mechanism, not for the model as
  a whole: feedbacks (defaults of the extra loans a bigger pool covers drain it; the
  mid-term gate opens on some paths and not others) can make a lever that helps on average
  hurt a particular path.

A variant that is the same model as the base (its overrides change nothing) is reported as
identical: difference 0, interval [0, 0], p-value 1. Any other variant keeps a score
interval of width of order ``z^2 / n`` even with no discordant path, because ``n`` paths
without a discordant one do not prove that the discordance probability is zero.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ipsim.analysis.attainment import ALL, Proportion, Tally, proportion
from ipsim.analysis.paired import PairedDifference, paired_difference
from ipsim.scenario.params import Distribution, Scenario

__all__ = ["Row", "Side", "Best", "Comparison", "compare", "same_model", "pairing_notes",
           "paired_half_width"]


@dataclass(frozen=True)
class Row:
    """One target (or ``all_targets``) of one scenario: attainment and paired difference."""

    id: str
    label: str
    attainment: Proportion
    diff: PairedDifference


@dataclass(frozen=True)
class Side:
    """One scenario of a comparison (the base or a variant)."""

    scenario: Scenario
    rows: tuple[Row, ...]          # targets in order, then all_targets
    released: Proportion
    identical: bool                # the same model as the base
    notes: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.scenario.name

    @property
    def joint(self) -> Row:
        return self.rows[-1]


@dataclass(frozen=True)
class Best:
    """The scenario with the highest joint attainment and how it stands to the runner-up."""

    best: str
    runner_up: str | None
    diff: PairedDifference | None  # best minus runner-up, paired

    @property
    def distinguishable(self) -> bool:
        """The paired interval of best minus runner-up excludes 0."""
        return self.diff is not None and self.diff.ci_low > 0.0


@dataclass(frozen=True)
class Comparison:
    """Base and variants, compared on the same paths."""

    base: Side
    variants: tuple[Side, ...]
    best: Best
    level: float
    method: str

    @property
    def sides(self) -> tuple[Side, ...]:
        return (self.base, *self.variants)


def same_model(a: Scenario, b: Scenario) -> bool:
    """Whether two scenarios simulate the same model (names, descriptions, files, seeds,
    target labels and the calendar start year aside): then they agree on every path by
    construction."""
    keys = ("horizon_months", "baseline", "parameters", "policy")
    unlabelled = [tuple(replace(t, label="") for t in s.targets) for s in (a, b)]
    return unlabelled[0] == unlabelled[1] and all(getattr(a, k) == getattr(b, k) for k in keys)


def pairing_notes(base: Scenario, variant: Scenario) -> list[str]:
    """Where ``variant``'s pairing with ``base`` is weaker than value by value (see the module
    docstring), one sentence each; empty when every random number pairs exactly."""
    notes = []
    if variant.horizon_months != base.horizon_months:
        notes.append(f"changes the horizon ({base.horizon_months} -> "
                     f"{variant.horizon_months} months): paths pair over the first "
                     f"{min(base.horizon_months, variant.horizon_months)} months only, and "
                     f"the targets are judged on a different period")
    for tb, tv in zip(base.targets, variant.targets, strict=False):
        if tb != tv:
            notes.append(f"judges target '{tb.id}' differently ({tb.describe()} -> "
                         f"{tv.describe()}): its difference compares two targets")
    for section in sorted(set(base.parameters) | set(variant.parameters)):
        pb, pv = base.parameters.get(section, {}), variant.parameters.get(section, {})
        for name in sorted(set(pb) | set(pv)):
            b, v = pb.get(name), pv.get(name)
            key = f"{section}.{name}"
            if isinstance(v, Distribution) and not isinstance(b, Distribution):
                notes.append(f"makes {key} uncertain: it draws from its own stream, no other "
                             f"number moves")
            elif isinstance(b, Distribution) and not isinstance(v, Distribution):
                notes.append(f"fixes {key} (uncertain in the base): no other number moves")
            elif isinstance(b, Distribution) and b.kind != v.kind:
                notes.append(f"changes {key} from {b.kind} to {v.kind}: paired by quantile "
                             f"(the same uniform), not by value")
    return notes


def _joint_beats(tally: Tally, s: int) -> int:
    if tally.beats is None:
        raise ValueError("the run kept no pairwise counts (Tally.beats); run the scenarios "
                         "together in one pipeline.run call")
    return int(tally.beats[s, -1])


def compare(scenarios: list[Scenario], tallies: list[Tally], level: float = 0.95,
            method: str = "newcombe") -> Comparison:
    """Compare each variant with the base, target by target and jointly, on paired counts.

    Parameters
    ----------
    scenarios : list of Scenario
        The base first, then the variants, as run by one :func:`ipsim.study.pipeline.run` call.
    tallies : list of Tally
        Their counts, in the same order (``gained``/``lost`` against the base; ``beats``
        for best against runner-up).
    level : float
        Confidence level of every interval, in (0, 1).
    method : str
        Paired interval: a key of :data:`ipsim.analysis.paired.METHODS`.

    Returns
    -------
    Comparison
        Every scenario's attainment (Wilson intervals) and paired difference from the base,
        the mid-term release probability, and the best scenario for all targets at once.
    """
    base = scenarios[0]
    n = tallies[0].n
    if any(t.n != n for t in tallies):
        raise ValueError("every scenario of a comparison must run on the same paths")
    sides = []
    for scenario, tally in zip(scenarios, tallies, strict=True):
        problem = base.comparable_with(scenario)
        if problem:
            raise ValueError(problem)
        identical = same_model(base, scenario)
        rows = []
        labels = [(t.id, t.label) for t in base.targets] + [(ALL, "All targets at once")]
        for j, (tid, label) in enumerate(labels):
            met, met_base = int(tally.met[j]), int(tallies[0].met[j])
            rows.append(Row(tid, label, proportion(met, n, level),
                            paired_difference(met, met_base, int(tally.gained[j]),
                                              int(tally.lost[j]), n, level, method,
                                              exact=identical)))
        sides.append(Side(scenario, tuple(rows), proportion(tally.released, n, level),
                          identical, tuple(pairing_notes(base, scenario))))
    return Comparison(sides[0], tuple(sides[1:]), _best(sides, tallies, level, method),
                      level, method)


def _best(sides: list[Side], tallies: list[Tally], level: float, method: str) -> Best:
    """Highest joint attainment (ties: the earlier scenario) and the paired difference from
    the runner-up."""
    order = sorted(range(len(sides)), key=lambda i: (-tallies[i].met[-1], i))
    b = order[0]
    if len(order) == 1:
        return Best(sides[b].name, None, None)
    r = order[1]
    diff = paired_difference(int(tallies[b].met[-1]), int(tallies[r].met[-1]),
                             _joint_beats(tallies[b], r), _joint_beats(tallies[r], b),
                             tallies[b].n, level, method,
                             exact=same_model(sides[b].scenario, sides[r].scenario))
    return Best(sides[b].name, sides[r].name, diff)


def paired_half_width(scenarios: list[Scenario], tallies: list[Tally],
                      level: float = 0.95) -> float:
    """The largest half-width of the paired difference intervals a comparison reports
    (every variant against the base, per target and jointly): the precision of a
    comparison, for a run that stops at one (:func:`ipsim.study.pipeline.run`)."""
    c = compare(scenarios, tallies, level)
    return max((r.diff.ci_high - r.diff.ci_low) / 2 for side in c.variants for r in side.rows)
