"""Plots of the drivers of one output: indices with the noise share, odds by bin, PRIM.

Draws with :mod:`ipsim.report.plots` (the one module that imports matplotlib); the caller
saves with its :func:`~ipsim.report.plots.save` (PNG and SVG, atomically).
"""

from __future__ import annotations

import textwrap

import numpy as np

from ipsim.report.plots import plt

__all__ = ["drivers_chart", "odds_chart", "prim_chart", "TOP"]

TOP = 12
"""Inputs shown on the drivers chart (the strongest; the rest are listed as a count)."""

_PARAM, _SHOCK, _NOISE, _JOINT = "#2b6cb0", "#dd6b20", "#a0aec0", "#1a365d"


def _v(x) -> float:
    return np.nan if x is None else float(x)


def drivers_chart(o: dict, subtitle: str):
    """Bars of each input's first-order index with its interval (the strongest on top),
    then the parameters' joint share (a lower bound) and the path noise (an upper bound)."""
    rows = sorted(o["inputs"], key=lambda i: -np.nan_to_num(_v(i["S1"]), nan=-1))[:TOP][::-1]
    labels = [r["input"] for r in rows]
    v = np.array([_v(r["S1"]) for r in rows])
    lo = np.array([_v(r["S1_low"]) for r in rows])
    hi = np.array([_v(r["S1_high"]) for r in rows])
    colours = [_SHOCK if r["kind"] == "shock" else _PARAM for r in rows]
    noise = o.get("noise") or {}
    extra = []
    if noise.get("noise_share_upper") is not None:
        ci = noise.get("parameters_share_ci") or [None, None]
        p = _v(noise["parameters_share_lower"])
        extra = [("luck on the path: shocks, counts (at most)", 1 - p, 1 - _v(ci[1]),
                  1 - _v(ci[0]), _NOISE),
                 ("all parameters together (at least)", p, _v(ci[0]), _v(ci[1]), _JOINT)]
        both = noise.get("parameters_and_shocks_share_lower")
        if both is not None:
            extra.insert(1, ("parameters and shocks together (at least)", both, np.nan,
                             np.nan, _SHOCK))
    labels = [e[0] for e in extra] + labels
    v = np.concatenate([[e[1] for e in extra], v])
    lo = np.concatenate([[e[2] for e in extra], lo])
    hi = np.concatenate([[e[3] for e in extra], hi])
    colours = [e[4] for e in extra] + colours
    y = np.arange(len(labels))
    fig, ax = plt.subplots(figsize=(8.5, 0.34 * len(labels) + 2.0))
    ax.barh(y, np.nan_to_num(v), color=colours, height=0.6)
    err = np.nan_to_num(np.clip(np.stack([v - lo, hi - v]), 0, None))
    ax.errorbar(np.nan_to_num(v), y, xerr=err, fmt="none", ecolor="black", capsize=2, lw=0.8)
    if extra:
        ax.axhline(len(extra) - 0.5, color="black", lw=0.6)
    ax.axvline(0, color="black", lw=0.6)
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlim(min(0.0, np.nanmin(lo) if np.isfinite(lo).any() else 0.0) - 0.01, 1.0)
    ax.set_xlabel("share of the variance of met / missed (first-order index), with "
                  "95 % interval")
    ax.set_title(f"What goes with missing: {o['label']} (P(met) {100 * o['p_met']:.1f} %)\n"
                 f"{subtitle}", fontsize=10, loc="left")
    ax.grid(axis="x", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in (_PARAM, _SHOCK)]
    ax.legend(handles, ["parameter", "cumulative shock"], loc="upper right", fontsize=8,
              frameon=False)
    fig.tight_layout()
    return fig


def _range(lo, hi) -> str:
    def f(x):
        return f"{x:.3g}" if abs(x) < 1e5 else f"{x:.2e}"
    return f"{f(lo)} to\n{f(hi)}"


def odds_chart(o: dict, subtitle: str, top: int = 3):
    """P(met) by quantile bin of the ``top`` strongest inputs, with Wilson intervals, against
    the output's overall P(met)."""
    rows = sorted(o["inputs"], key=lambda i: -np.nan_to_num(_v(i["S1"]), nan=-1))[:top]
    fig, axes = plt.subplots(1, len(rows), figsize=(3.4 * len(rows), 3.6), sharey=True,
                             squeeze=False)
    for ax, r in zip(axes[0], rows, strict=True):
        bins = r["odds"]
        p = np.array([_v(b["p_met"]) for b in bins]) * 100
        lo = np.array([_v(b["ci_low"]) for b in bins]) * 100
        hi = np.array([_v(b["ci_high"]) for b in bins]) * 100
        x = np.arange(len(bins))
        ax.bar(x, p, color=_SHOCK if r["kind"] == "shock" else _PARAM, width=0.65)
        ax.errorbar(x, p, yerr=np.clip(np.stack([p - lo, hi - p]), 0, None), fmt="none",
                    ecolor="black", capsize=3, lw=0.8)
        for xi, pi in zip(x, p, strict=True):
            ax.text(xi, pi + 2, f"{pi:.1f} %", ha="center", fontsize=7)
        ax.axhline(100 * o["p_met"], color="black", lw=0.8, ls="--")
        ax.set_xticks(x, [_range(_v(b["low"]), _v(b["high"])) for b in bins], fontsize=7)
        ax.set_title(r["input"], fontsize=9)
        ax.set_ylim(0, 105)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0][0].set_ylabel("P(met) in the bin (%), Wilson 95 %")
    fig.suptitle(f"Odds by quarter of the strongest inputs: {o['label']} (dashed: overall)\n"
                 f"{subtitle}", fontsize=10, x=0.01, ha="left")
    fig.tight_layout()
    return fig


def prim_chart(o: dict, subtitle: str):
    """The PRIM peeling trajectory as coverage against density (colour: inputs restricted),
    the chosen step circled and the final (pruned) box starred, its rule underneath."""
    pr = o["prim"]
    t = pr["trajectory"]
    cov = np.array([s["coverage"] for s in t]) * 100
    den = np.array([_v(s["density"]) for s in t]) * 100
    k = np.array([s["restricted"] for s in t])
    fig, ax = plt.subplots(figsize=(7.5, 5.2))
    sc = ax.scatter(cov, den, c=k, cmap="viridis", s=14, zorder=2)
    ax.plot(cov, den, color="#cbd5e0", lw=0.8, zorder=1)
    c = pr["chosen_step"]
    ax.scatter([cov[c]], [den[c]], s=120, facecolors="none", edgecolors="black",
               label="chosen step (on the PRIM subsample)", zorder=3)
    ax.scatter([100 * pr["coverage"]], [100 * _v(pr["density"])], marker="*", s=160,
               color="#c53030", label="final box, on every path of the sample", zorder=4)
    ax.axhline(100 * pr["base_density"], color="black", lw=0.6, ls="--",
               label="share of paths that miss")
    fig.colorbar(sc, ax=ax, label="inputs restricted")
    ax.set_xlabel("coverage: share of the misses inside the box (%)")
    ax.set_ylabel("density: share of the paths inside that miss (%)")
    ax.set_xlim(0, 102)
    ax.legend(loc="lower left", fontsize=8, frameon=False)
    ax.set_title(f"Where missing is dense (PRIM): {o['label']}\n{subtitle}", fontsize=10,
                 loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    fig.text(0.01, -0.02, "\n".join(textwrap.wrap(pr["rule"], 110)), fontsize=8,
             va="top")
    fig.tight_layout()
    return fig
