"""What a backtest band rests on, and whether it is narrow enough to test anything.

A backtest band is the simulated distribution of an indicator some years after the origin.
Its width comes from the monthly randomness and from the estimation uncertainty of the
growth the calibration wrote, which a short history makes large: the drift's interval is a
Student-t with ``k - 1`` degrees of freedom for ``k`` log differences, so a fit on three
points (one degree of freedom) widens its 90 % interval by ``t_0.95(1) / z_0.95 = 3.8``
against a known volatility. Two figures go beside each band:

* **effective degrees of freedom** (``df``) of the scale behind the band's growth interval:
  ``k - 1`` for a fit on the data alone; 0 when one difference cannot estimate a scale and
  the scenario's volatility is assumed; pooled with the scenario's prior
  (``--prior scenario``), the Welch-Satterthwaite value ``(k - 1) / w^2`` (``w`` the data's
  share of the pooled precision, the prior's variance taken as known), large when the prior
  dominates; ``None`` when the series was not fitted (the band is the scenario's
  assumptions);
* **data weight** ``w``: 1 with the data alone; below :data:`PRIOR_DOMINATES` the band
  rests mostly on the prior, and a point outside it tests the prior, not the history.

A band is **too wide to test** when it holds both half and double its median
(``q05 <= q50 / 2`` and ``q95 >= 2 q50``, the 90 % band): a realised value off the
forecast's centre by a factor of two either way still counts as inside. For a log-normal
band this is ``q95 / q05 >= 4``, where the chance that a forecast wrong by a factor of two
puts the realised value outside the band is one half; a wider band catches less. Such
points cannot fail, so the pooled coverage is also given without them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ipsim.calibration.place import Calibration
from ipsim.calibration.series import FITTED

__all__ = ["Basis", "basis_of", "too_wide", "FACTOR", "PRIOR_DOMINATES", "CRITERION"]

FACTOR = 2.0
"""A 90 % band is too wide to test when it holds the median divided and multiplied by this."""

PRIOR_DOMINATES = 0.5
"""Below this share of the drift's precision from the history, the band rests mostly on the
scenario's prior."""

CRITERION = (f"a 90 % band is too wide to test when it holds both 1/{FACTOR:g} and {FACTOR:g} "
             "times its median (q05 <= q50/2 and q95 >= 2 q50): a realised value off the "
             "forecast by a factor of two either way still counts as inside")


@dataclass(frozen=True)
class Basis:
    """What one indicator's bands rest on at one origin.

    ``df`` effective degrees of freedom (None: not fitted); ``data_weight`` the history's
    share of the drift's precision (None: not fitted); ``fitted_on`` the observed indicator
    whose fit sets the growth ('' when none); ``words`` the same in a phrase.
    """

    df: float | None
    data_weight: float | None
    fitted_on: str
    words: str


def basis_of(cal: Calibration, indicator: str) -> Basis:
    """The :class:`Basis` of ``indicator``'s bands in a backtest from ``cal``."""
    section = FITTED.get(indicator, ("", ""))[0]
    name = cal.used.get(section)
    if name is None:
        what = ("the scenario's grant rate and lapses" if indicator == "invention_stock"
                else "the scenario's growth")
        return Basis(None, None, "", f"not fitted: {what}")
    own = cal.fits[name].n - 2                    # k - 1 for k = n - 1 differences
    weight = float(cal.data_weight.get(section, 1.0))
    df = own / weight ** 2 if own > 0 else 0.0
    on = "" if name == indicator else f" (fitted on {name})"
    if own == 0:
        words = "one difference: the scenario's volatility assumed"
    else:
        words = f"Student-t, {own} df from {cal.fits[name].n} periods"
    if weight < 1.0:
        words += f"; pooled with the prior, data {weight:.1%} of the weight"
        if weight < PRIOR_DOMINATES:
            words += " (mostly the prior)"
    return Basis(float(df), weight, name, words + on)


def too_wide(q05: float, q50: float, q95: float) -> bool:
    """Whether a 90 % band ``[q05, q95]`` with median ``q50`` is too wide to test
    (:data:`CRITERION`)."""
    return bool(q05 <= q50 / FACTOR and q95 >= FACTOR * q50)
