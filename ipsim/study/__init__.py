"""Studies that run the engines: a run of a scenario and its variants
(:mod:`~ipsim.study.pipeline`), a policy sweep (:mod:`~ipsim.study.sweep`) and a
sensitivity analysis (:mod:`~ipsim.study.sensitivity`). Each turns scenarios into engine
tasks, runs them through :mod:`ipsim.runtime` and reduces their results with
:mod:`ipsim.analysis`."""
