"""Plots of a sensitivity analysis: Sobol' index bars, Morris mu* bars, tornado chart.

Draws with :mod:`ipsim.report.plots` (the one module that imports matplotlib) and saves
with its :func:`~ipsim.report.plots.save` (PNG and SVG, atomically).
"""

from __future__ import annotations

import numpy as np

from ipsim.report.i18n import tr
from ipsim.report.plots import plt

__all__ = ["indices_chart", "morris_chart", "tornado_chart"]

_LIGHT, _DARK = "#90cdf4", "#1a365d"


def _frame(ax, labels: list[str], xlabel: str, title: str, subtitle: str) -> None:
    ax.set_yticks(np.arange(len(labels)), labels, fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_title(f"{title}\n{subtitle}", fontsize=10, loc="left")
    ax.grid(axis="x", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)


def _errors(value: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """(2, k) non-negative error-bar lengths; 0 where an interval is missing."""
    return np.nan_to_num(np.clip(np.stack([value - low, high - value]), 0, None))


def indices_chart(labels: list[str], first: dict[str, np.ndarray], total: dict[str, np.ndarray],
                  title: str, subtitle: str, lang: str = "en"):
    """Paired bars of the first-order and total index of each parameter, largest total on top.

    ``first`` and ``total``: dicts of (parameters,) arrays ``value``, ``low``, ``high`` (the
    bootstrap interval).
    """
    order = np.argsort(total["value"], kind="stable")   # ascending: largest drawn on top
    y = np.arange(len(labels))
    fig, ax = plt.subplots(figsize=(8, 0.34 * len(labels) + 1.8))
    for shift, d, colour, name in ((0.19, first, _LIGHT, tr(lang, "plot.sobol_first")),
                                   (-0.19, total, _DARK, tr(lang, "plot.sobol_total"))):
        v, lo, hi = (d[k][order] for k in ("value", "low", "high"))
        ax.barh(y + shift, v, height=0.36, color=colour, label=name)
        ax.errorbar(v, y + shift, xerr=_errors(v, lo, hi), fmt="none", ecolor="black",
                    capsize=2, lw=0.8)
    ax.axvline(0, color="black", lw=0.6)
    _frame(ax, [labels[i] for i in order], tr(lang, "plot.sobol_axis"), title, subtitle)
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def morris_chart(labels: list[str], mu_star: np.ndarray, conf: np.ndarray, sigma: np.ndarray,
                 title: str, subtitle: str, lang: str = "en"):
    """Bars of Morris mu* with their intervals and sigma as dots, largest mu* on top."""
    order = np.argsort(mu_star, kind="stable")
    y = np.arange(len(labels))
    fig, ax = plt.subplots(figsize=(8, 0.3 * len(labels) + 1.8))
    ax.barh(y, mu_star[order], height=0.6, color=_DARK, label=tr(lang, "plot.morris_mu"))
    ax.errorbar(mu_star[order], y, xerr=np.nan_to_num(conf[order]), fmt="none",
                ecolor="black", capsize=2, lw=0.8)
    ax.plot(sigma[order], y, "o", color="#dd6b20", ms=4, label=tr(lang, "plot.morris_sigma"))
    _frame(ax, [labels[i] for i in order], tr(lang, "plot.morris_axis"), title, subtitle)
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def tornado_chart(base: float, labels: list[str], p_low: np.ndarray, p_high: np.ndarray,
                  value_labels: list[str], title: str, subtitle: str, what: str = "",
                  lang: str = "en"):
    """Tornado: P(``what``, default all targets) with one parameter at its 5th and 95th
    percentile.

    Bars run from ``base`` (every parameter at its median) to each end; the widest swing is
    on top; ``value_labels`` name each parameter's two values.
    """
    swing = np.abs(p_high - p_low)
    order = np.argsort(swing, kind="stable")
    y = np.arange(len(labels))
    fig, ax = plt.subplots(figsize=(9, 0.34 * len(labels) + 1.8))
    lo, hi = p_low[order] * 100, p_high[order] * 100
    ax.barh(y, lo - base * 100, left=base * 100, height=0.6, color=_LIGHT,
            label=tr(lang, "plot.tornado_low"))
    ax.barh(y, hi - base * 100, left=base * 100, height=0.6, color=_DARK, alpha=0.8,
            label=tr(lang, "plot.tornado_high"))
    ax.axvline(base * 100, color="black", lw=0.8)
    for yi, i in zip(y, order, strict=True):
        ax.text(max(lo[yi], hi[yi]) + 0.5, yi, value_labels[i], va="center", fontsize=7)
    _frame(ax, [labels[i] for i in order],
           tr(lang, "plot.tornado_axis_of", what=what or tr(lang, "plot.all_targets_what"),
              base=f"{base:.1%}"), title, subtitle)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=8,
              frameon=False)
    fig.tight_layout()
    return fig
