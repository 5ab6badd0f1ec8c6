"""Plots of a policy sweep: curves against one lever, a heat map over two.

Matplotlib comes through :mod:`ipsim.report.plots` (the Agg backend is set there once).
Probabilities are fractions in the data and drawn in per cent.
"""

from __future__ import annotations

import numpy as np

from ipsim.report.i18n import tr
from ipsim.report.plots import palette, plt

__all__ = ["sweep_curves", "sweep_heatmap"]

_JOINT = "#1a365d"


def _axis(values: list) -> tuple[np.ndarray, list[str] | None]:
    """x positions of lever values: the numbers themselves, or 0..k-1 for texts."""
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return np.asarray(values, dtype=float), None
    return np.arange(len(values), dtype=float), [str(v) for v in values]


def _band(ax, x, series: dict, colour, label: str, lw: float = 1.2) -> None:
    p = np.asarray(series["probability"], dtype=float) * 100
    ax.fill_between(x, np.asarray(series["ci_low"], dtype=float) * 100,
                    np.asarray(series["ci_high"], dtype=float) * 100, color=colour, alpha=0.2,
                    lw=0)
    ax.plot(x, p, "-o", ms=3, lw=lw, color=colour, label=label)


def sweep_curves(lever: str, values: list, joint: dict, targets: list[dict], best: int | None,
                 infeasible: list[bool], title: str, subtitle: str, lang: str = "en"):
    """P(all targets) (top) and P(each target) (bottom) against one lever, 95 % bands.

    Parameters
    ----------
    lever : str
        The lever's key path (x-axis label).
    values : list
        Its values, one per point (numbers, or texts shown as categories).
    joint : dict
        ``probability``, ``ci_low``, ``ci_high``: lists over the points (NaN where
        infeasible).
    targets : list of dict
        Per target: ``label`` and the same three lists.
    best : int or None
        The best point's position (marked with a star).
    infeasible : list of bool
        Points not run (marked with a cross on the x-axis).
    """
    x, ticks = _axis(values)
    height = 7.5 + 0.2 * len(targets)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8.5, height), sharex=True,
                                      gridspec_kw={"height_ratios": [1, 1.6]})
    _band(top, x, joint, _JOINT, tr(lang, "plot.all_targets"), lw=1.8)
    if best is not None:
        top.plot(x[best], joint["probability"][best] * 100, "*", ms=16, color="#c53030",
                 label=tr(lang, "plot.best_point", lever=lever.split('.')[-1],
                          value=values[best]), zorder=3)
    for i, t in enumerate(targets):
        _band(bottom, x, t, palette(len(targets))[i], t["label"])
    for ax in (top, bottom):
        bad = np.flatnonzero(infeasible)
        if bad.size:
            ax.plot(x[bad], np.zeros(bad.size), "x", color="#c53030", ms=7, clip_on=False,
                    label=tr(lang, "plot.infeasible") if ax is top else None)
        ax.set_ylim(0, 100 if ax is bottom else None)
        ax.grid(alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
    top.set_ylabel(tr(lang, "plot.p_all_axis"))
    bottom.set_ylabel(tr(lang, "plot.p_target_axis"))
    bottom.set_xlabel(lever)
    if ticks is not None:
        bottom.set_xticks(x, ticks)
    top.legend(fontsize=8, frameon=False)
    bottom.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2,
                  frameon=False)
    top.set_title(f"{title}\n{subtitle}", fontsize=10, loc="left")
    fig.tight_layout()
    return fig


def sweep_heatmap(levers: tuple[str, str], values: tuple[list, list], joint: np.ndarray,
                  best: tuple[int, int] | None, title: str, subtitle: str,
                  lang: str = "en"):
    """Heat map of P(all targets) over two levers; infeasible cells (NaN) hatched.

    ``joint`` is (len(values[0]), len(values[1])) of fractions; rows are the first lever,
    drawn on the y-axis. The best cell is outlined and starred.
    """
    grid = np.asarray(joint, dtype=float) * 100
    ny, nx = grid.shape
    fig, ax = plt.subplots(figsize=(max(6.0, 0.7 * nx + 3), max(4.5, 0.45 * ny + 2.5)))
    image = ax.imshow(np.ma.masked_invalid(grid), origin="lower", aspect="auto",
                      cmap="viridis", vmin=0, vmax=max(float(np.nanmax(grid)), 1e-9)
                      if np.isfinite(grid).any() else 1)
    for (r, c), v in np.ndenumerate(grid):
        if np.isnan(v):
            ax.add_patch(plt.Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, hatch="///",
                                       edgecolor="#a0a0a0", lw=0))
        else:
            ax.text(c, r, f"{v:.1f}", ha="center", va="center", fontsize=7,
                    color="white" if v < 0.6 * np.nanmax(grid) else "black")
    if best is not None:
        r, c = best
        ax.add_patch(plt.Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, edgecolor="#c53030",
                                   lw=2))
        ax.plot(c, r + 0.3, "*", ms=10, color="#c53030")
    ax.set_xticks(range(nx), [f"{v:g}" if isinstance(v, float) else str(v)
                              for v in values[1]], fontsize=8)
    ax.set_yticks(range(ny), [f"{v:g}" if isinstance(v, float) else str(v)
                              for v in values[0]], fontsize=8)
    ax.set_xlabel(levers[1])
    ax.set_ylabel(levers[0])
    fig.colorbar(image, ax=ax, label=tr(lang, "plot.heatmap_colour"))
    ax.set_title(f"{title}\n{subtitle}", fontsize=10, loc="left")
    fig.tight_layout()
    return fig
