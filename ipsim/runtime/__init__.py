"""How work runs and lands on disk: backends (this process, a local pool, Dask), the task
cache that lets long jobs resume, cost estimates, signals held over critical lines, and
atomic writes. Knows nothing of the model."""
