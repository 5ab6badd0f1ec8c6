"""What goes with failure on a path: drivers and scenario discovery from one run's sample.

Every path of an ordinary run draws its own uncertain parameters (and, through its monthly
shocks, its own economy), so a run is already a sample of inputs and outcomes. The modules
here work on plain arrays, an input table ``x`` (paths, inputs) and a met/missed indicator
``met`` (paths,) or (paths, outputs), and know nothing about scenarios:

* :mod:`~ipsim.analysis.drivers.filtering`: Monte Carlo filtering, met against missed per
  input (two-sample Kolmogorov-Smirnov, medians) and the odds by quantile bin of the input
  with Wilson intervals;
* :mod:`~ipsim.analysis.drivers.indices`: given-data first-order indices of the indicator
  on each input (a bias-corrected binning estimator) with bootstrap intervals;
* :mod:`~ipsim.analysis.drivers.noise`: how much of the indicator's variance the parameters
  explain at least, and so how much at most is path noise;
* :mod:`~ipsim.analysis.drivers.prim`: scenario discovery with PRIM (peeling, pasting, the
  trajectory, box choice, readable rules, a bootstrap stability check and quasi-p-values);
* :mod:`~ipsim.analysis.drivers.table`: all of it for every output of a run at once.

See ``docs/drivers.md`` for what each answers and how to read it.
"""
