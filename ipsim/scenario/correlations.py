"""The ``correlations:`` section: rank correlations between uncertain parameters.

::

    correlations:
      pledge.growth~pledge.default_rate: -0.5     # Spearman's rho, in [-1, 1]
      pledge.growth~transfers.growth: 0.3

Each key names two parameters (``section.name``, ``section`` a mechanism of
``parameters:`` or ``shocks``), both given as distributions; a pair not listed is
uncorrelated. The engines apply them by a Gaussian copula on the parameters' own streams
(:mod:`ipsim.model.uncertainty`), in the order of :func:`order` (the parameter tables of
``docs/scenario.md``, mechanism by mechanism, then the shock loadings). An override or a
variant changes one pair as ``correlations.pledge.growth~pledge.default_rate`` (either order
of the two names; spaces around ``~`` are ignored).

The checks, each a one-line error naming the pair: two known, different, uncertain
parameters; a number in [-1, 1]; no pair twice; and a valid correlation matrix after the
conversion to the normal scores' correlation ``r = 2 sin(pi rho / 6)`` (symmetric with a unit
diagonal by construction, and positive semi-definite: the error names the first parameter,
in :func:`order`, whose correlations with those before it cannot hold together, and the pair
to weaken).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ipsim.errors import ScenarioError, did_you_mean
from ipsim.model import uncertainty
from ipsim.scenario import schema
from ipsim.scenario.params import Distribution, frozen_map

__all__ = ["order", "check", "matrix", "DOC", "SECTION"]

SECTION = "correlations"


def order() -> list[str]:
    """Every parameter that can be correlated, ``section.name``, in the fixed order of the
    copula: the parameter tables in registry order, then the shock loadings."""
    names = [f"{s}.{p.name}" for s, ps in schema.sections().items() for p in ps]
    return names + [f"shocks.{p.name}" for p in schema.shock_params()]


def matrix(pairs: Mapping[tuple[str, str], float]) -> tuple[list[str], np.ndarray]:
    """The parameters named in ``pairs`` (in :func:`order`) and the correlation matrix of
    their normal scores (``r = 2 sin(pi rho / 6)``, unit diagonal)."""
    rank = {n: i for i, n in enumerate(order())}
    names = sorted({n for pair in pairs for n in pair}, key=rank.__getitem__)
    at = {n: i for i, n in enumerate(names)}
    r = np.eye(len(names))
    for (a, b), rho in pairs.items():
        r[at[a], at[b]] = r[at[b], at[a]] = uncertainty.normal_correlation(rho)
    return names, r


def _canonical(a: str, b: str) -> tuple[str, str]:
    rank = {n: i for i, n in enumerate(order())}
    return (a, b) if rank[a] < rank[b] else (b, a)


def check(c, value: Any, path: tuple, parameters: Mapping) -> Mapping:
    """Check the raw section and return ``{(a, b): rho}`` (``a`` before ``b`` in
    :func:`order`), read-only.

    Parameters
    ----------
    c : ipsim.scenario.checker.Checker
        Collects the problems.
    value : object
        The raw section (absent: an empty mapping).
    path : tuple
        Its key path, ``("correlations",)``.
    parameters : mapping
        The validated parameter sections (``shocks`` among them), to tell distributions
        from numbers.
    """
    if value is None or value == {}:
        return frozen_map({})
    section = c.mapping(value, path, allowed=_AnyKey())
    if section is None:
        return frozen_map({})
    known = order()
    out: dict[tuple[str, str], float] = {}
    where_of: dict[tuple[str, str], tuple] = {}
    for key, raw in section.items():
        where = path + (key,)
        pair = uncertainty.pair_of(key)
        if pair is None:
            _error(c, where, "must name two parameters joined by '~', e.g. "
                             "pledge.growth~pledge.default_rate")
            continue
        bad = [n for n in pair if n not in known]
        for n in bad:
            _error(c, where, f"unknown parameter '{n}'{did_you_mean(n, known)} (write "
                             "section.name, e.g. pledge.growth or shocks.pledge)")
        if bad:
            continue
        if pair[0] == pair[1]:
            _error(c, where, f"a parameter's correlation with itself is 1; name two "
                             f"different parameters, got '{pair[0]}' twice")
            continue
        fixed = [n for n in pair if not _uncertain(parameters, n)]
        for n in fixed:
            _error(c, where, f"'{n}' is a number here; only a parameter given as a "
                             "distribution can be correlated (give it one, or drop the pair)")
        rho = _rank(c, raw, where)
        if fixed or rho is None:
            continue
        pair = _canonical(*pair)
        if pair in out:
            _error(c, where, f"the pair {pair[0]}~{pair[1]} is given twice (also as "
                             f"'{where_of[pair][-1]}')")
            continue
        out[pair], where_of[pair] = rho, where
    if out:
        _check_matrix(c, out, where_of)
    return frozen_map(out)


def _error(c, where: tuple, message: str, constraint: bool = False) -> None:
    """A problem at the line of the pair ``where[-1]``, reported under the key path
    ``correlations.<a>~<b>`` (the form an override uses: no spaces)."""
    line, col = c.marks[where]
    key = "".join(str(where[-1]).split())
    c.errors.append(ScenarioError(c.file, f"{SECTION}.{key}", message, line, col, constraint))


def _rank(c, raw: Any, where: tuple) -> float | None:
    """The rank correlation, a number in [-1, 1]."""
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not -1 <= raw <= 1:
        _error(c, where, f"must be a rank correlation, a number in [-1, 1], got {raw!r}")
        return None
    return float(raw)


def _check_matrix(c, pairs: dict, where_of: dict) -> None:
    """Error naming the pair to weaken if the normal scores' correlation is not positive
    semi-definite."""
    names, r = matrix(pairs)
    _, bad = uncertainty.copula_factor(r)
    if bad < 0:
        return
    head = names[:bad + 1]
    offending = names[bad]
    # the pairs of the offending parameter with those before it, largest first: the first
    # whose removal leaves a valid matrix is the one to weaken
    own = sorted(((p, rho) for p, rho in pairs.items() if offending in p and
                  all(n in head for n in p)), key=lambda x: -abs(x[1]))
    for pair, _ in own:
        trial = {p: v for p, v in pairs.items() if p != pair and all(n in head for n in p)}
        if uncertainty.copula_factor(matrix(trial)[1])[1] < 0 or not trial:
            others = ", ".join(f"{a}~{b}" for a, b in trial)
            _error(c, where_of[pair], f"this rank correlation cannot hold together with "
                    f"{others}: the normal scores' correlation matrix (r = 2 sin(pi rho/6)) "
                    "is not positive semi-definite; weaken it or one of them",
                    constraint=True)
            return
    _error(c, where_of[own[0][0]], f"the correlations of '{offending}' with "
            f"{', '.join(n for n in head[:-1])} cannot hold together: the normal scores' "
            "correlation matrix (r = 2 sin(pi rho/6)) is not positive semi-definite",
            constraint=True)


def _uncertain(parameters: Mapping, name: str) -> bool:
    section, key = name.split(".", 1)
    return isinstance(parameters.get(section, {}).get(key), Distribution)


class _AnyKey(tuple):
    """Accepts every key in :meth:`_Checker.mapping` (pairs are checked one by one)."""

    def __contains__(self, item: object) -> bool:
        return True


DOC = [
    "Optional: rank (Spearman) correlations between uncertain parameters, drawn by a "
    "Gaussian copula. Each key names two parameters as `section.name` (a section of "
    "`parameters:`, or `shocks` for a loading), both given as distributions, joined by `~`; "
    "the value is Spearman's rho in [-1, 1]; a pair not listed is uncorrelated:",
    "",
    "```yaml",
    "correlations:",
    "  pledge.growth~pledge.default_rate: -0.5",
    "  pledge.growth~transfers.growth: 0.3",
    "```",
    "",
    "(spaces around `~` are allowed; errors name the pair as `correlations.<a>~<b>`).",
    "",
    "Each parameter keeps its distribution and its own random stream `param:<section>.<name>`:"
    " its uniform `u` gives a normal score `z = Phi^-1(u)`, the scores are correlated as "
    "`L z` with `L` the lower-triangular (Cholesky) factor of their correlation matrix, "
    "`r = 2 sin(pi rho / 6)` for each pair (the normal-score correlation that gives rank "
    "correlation rho), and the value is the distribution's quantile of `Phi(L z)`. The order "
    "is that of the parameter tables above (section by section, then `shocks:`), so a "
    "parameter's value depends on its own stream and those of the correlated parameters "
    "before it: a variant that changes one correlation leaves every other stream, and the "
    "value of every parameter it does not correlate, path by path as in the base. The "
    "matrix must be a valid correlation matrix (positive semi-definite after the "
    "conversion); the error names the pair to weaken. A variant or an override changes one "
    "pair as `correlations.pledge.growth~pledge.default_rate: -0.3` (either order; `0` "
    "removes the correlation). `ipsim sensitivity` samples the inputs independently, as "
    "Sobol' and Morris indices assume, and leaves the correlations out.",
]
