"""Plots of the decision commands: commit levels, the optimum against the plan, the search
trace, the goal seek's curve (PNG and SVG through :func:`ipsim.report.plots.save`)."""

from __future__ import annotations

import numpy as np

from ipsim.report.plots import palette, plt, save

__all__ = ["exceedance_chart", "allocation_chart", "odds_chart", "trace_chart", "goal_chart",
           "save"]


def _titles(ax, title: str, subtitle: str) -> None:
    ax.set_title(f"{title}\n{subtitle}", fontsize=10, loc="left")


def exceedance_chart(x, p, threshold: float, level: float | None, title: str, subtitle: str,
                     unit: str, ylabel: str, target_label: str, level_label: str,
                     step: bool = False):
    """P(measure >= x) against x, the threshold as a vertical line, the 80 % level marked."""
    fig, ax = plt.subplots(figsize=(7, 4))
    colours = palette(3)
    if step:
        ax.step(x, p * 100, where="post", color=colours[0], lw=1.8)
    else:
        ax.plot(x, p * 100, color=colours[0], lw=1.8)
    ax.axvline(threshold, color="black", ls="--", lw=1, label=target_label)
    ax.axhline(80, color="grey", ls=":", lw=0.8)
    if level is not None:
        ax.plot([level], [80], "o", color=colours[1], label=level_label, zorder=3)
    ax.set_xlabel(unit)
    ax.set_ylabel(f"{ylabel} (%)")
    ax.set_ylim(0, 102)
    ax.legend(loc="best", fontsize=8, frameon=False)
    ax.grid(alpha=0.3)
    _titles(ax, title, subtitle)
    return fig


def allocation_chart(levers: list[str], plan: np.ndarray, best: np.ndarray, title: str,
                     subtitle: str, unit: str, names: tuple[str, str]):
    """Grouped horizontal bars: money per lever under the plan and the optimum."""
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(levers) + 1.6))
    y = np.arange(len(levers))[::-1]
    colours = palette(2)
    ax.barh(y + 0.2, plan, height=0.38, color=colours[0], label=names[0])
    ax.barh(y - 0.2, best, height=0.38, color=colours[1], label=names[1])
    ax.set_yticks(y, levers)
    ax.set_xlabel(unit)
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.grid(axis="x", alpha=0.3)
    _titles(ax, title, subtitle)
    return fig


def odds_chart(labels: list[str], series: list[dict], title: str, subtitle: str):
    """Odds per target (and jointly) for several allocations, with their intervals:
    ``series`` items have ``name``, ``p``, ``low``, ``high`` (arrays in [0, 1])."""
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(labels) + 1.6))
    k = len(series)
    y = np.arange(len(labels))[::-1]
    h = 0.8 / k
    for i, (s, colour) in enumerate(zip(series, palette(k), strict=True)):
        pos = y + 0.4 - h * (i + 0.5)
        p, lo, hi = (np.asarray(s[key]) * 100 for key in ("p", "low", "high"))
        ax.barh(pos, p, height=h * 0.9, color=colour, label=s["name"])
        ax.errorbar(p, pos, xerr=[p - lo, hi - p], fmt="none", ecolor="black", lw=0.8,
                    capsize=2)
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 100)
    ax.set_xlabel("%")
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.grid(axis="x", alpha=0.3)
    _titles(ax, title, subtitle)
    return fig


def trace_chart(evaluations, best, generation_best, verified: float | None, title: str,
                subtitle: str, ylabel: str, labels: tuple[str, str, str]):
    """The search trace: best so far and each generation's best against evaluations, and the
    winner's verified figure as a line."""
    fig, ax = plt.subplots(figsize=(7, 4))
    colours = palette(3)
    ax.plot(evaluations, generation_best, ".", color=colours[0], alpha=0.6, label=labels[0])
    ax.step(evaluations, best, where="post", color=colours[1], lw=1.8, label=labels[1])
    if verified is not None:
        ax.axhline(verified, color="black", ls="--", lw=1, label=labels[2])
    ax.set_xlabel("evaluations")
    ax.set_ylabel(ylabel)
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.grid(alpha=0.3)
    _titles(ax, title, subtitle)
    return fig


def goal_chart(x, p, lb, fx, fp, flb, goal: float, answer: float | None, title: str,
               subtitle: str, xlabel: str, labels: tuple[str, str, str, str]):
    """P(target) and its lower bound against the lever (grid and fresh paths), the goal."""
    fig, ax = plt.subplots(figsize=(7, 4))
    colours = palette(3)
    ax.plot(x, np.asarray(p) * 100, "o-", color=colours[0], ms=3, label=labels[0])
    ax.plot(x, np.asarray(lb) * 100, "--", color=colours[0], lw=1, label=labels[1])
    if len(fx):
        ax.plot(fx, np.asarray(flb) * 100, "s", color=colours[1], ms=3, label=labels[2])
    ax.axhline(goal * 100, color="black", ls=":", lw=1)
    if answer is not None:
        ax.axvline(answer, color=colours[2], lw=1.2, label=labels[3])
    ax.set_xlabel(xlabel)
    ax.set_ylabel("%")
    ax.legend(loc="best", fontsize=8, frameon=False)
    ax.grid(alpha=0.3)
    _titles(ax, title, subtitle)
    return fig
