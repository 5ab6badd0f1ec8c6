"""Fitting the model to a place's own figures, and backtesting it (``docs/calibration.md``).

One idea a module: :mod:`~ipsim.calibration.covariance` (the Gaussian law of log differences),
:mod:`~ipsim.calibration.series` (history columns to likelihood inputs),
:mod:`~ipsim.calibration.fit` (drift and volatility with exact small-sample intervals),
:mod:`~ipsim.calibration.shocks` (common-shock loadings), :mod:`~ipsim.calibration.offsets`
(the model's drift beyond the growth parameter), :mod:`~ipsim.calibration.place` (a whole
calibration and its overrides), :mod:`~ipsim.calibration.overlay` (scenarios from overrides,
the written variant file), :mod:`~ipsim.calibration.summary` (rows and header) and
:mod:`~ipsim.calibration.backtest`.
"""
