"""Report-ready plots (PNG and SVG): attainment bars and fan charts.

The only module that imports matplotlib (with the non-interactive Agg backend).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ipsim.report.atomic import write_atomic  # noqa: E402

__all__ = ["attainment_chart", "fan_chart", "save", "scaled_unit"]

_BLUE = "#2b6cb0"


def save(fig, stem: str | Path) -> list[Path]:
    """Save ``fig`` as ``stem.png`` (150 dpi) and ``stem.svg``, atomically; close it."""
    out = []
    for ext in ("png", "svg"):
        buf = __import__("io").BytesIO()
        fig.savefig(buf, format=ext, dpi=150, bbox_inches="tight")
        path = Path(f"{stem}.{ext}")
        write_atomic(path, buf.getvalue())
        out.append(path)
    plt.close(fig)
    return out


def scaled_unit(values: np.ndarray, unit: str) -> tuple[float, str]:
    """A divisor and unit label that keep tick labels short (yuan -> million/billion yuan)."""
    top = float(np.nanmax(np.abs(values))) if np.size(values) else 0.0
    for factor, word in ((1e9, "billion"), (1e6, "million"), (1e3, "thousand")):
        if top >= 10 * factor:
            return factor, f"{word} {unit}"
    return 1.0, unit


def attainment_chart(rows: list[dict], title: str, subtitle: str):
    """Horizontal bars of P(attained) with their intervals, one row per entry of ``rows``.

    ``rows``: dicts with ``label``, ``probability``, ``ci_low``, ``ci_high``; a row with
    ``emphasis`` true (the joint target, the gate) is drawn in a darker colour.
    """
    labels = [r["label"] for r in rows][::-1]
    p = np.array([r["probability"] for r in rows])[::-1] * 100
    lo = np.array([r["ci_low"] for r in rows])[::-1] * 100
    hi = np.array([r["ci_high"] for r in rows])[::-1] * 100
    colours = ["#1a365d" if r.get("emphasis") else _BLUE for r in rows][::-1]
    fig, ax = plt.subplots(figsize=(8, 0.42 * len(rows) + 1.6))
    y = np.arange(len(rows))
    ax.barh(y, p, color=colours, height=0.6)
    ax.errorbar(p, y, xerr=[p - lo, hi - p], fmt="none", ecolor="black", capsize=3, lw=1)
    for yi, pi, hii in zip(y, p, hi, strict=True):
        ax.text(min(hii + 1.5, 101), yi, f"{pi:.1f} %", va="center", fontsize=8)
    ax.set_yticks(y, labels, fontsize=9)
    ax.set_xlim(0, 112)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel("probability of attainment (%), with 95 % interval")
    ax.set_title(f"{title}\n{subtitle}", fontsize=10, loc="left")
    ax.grid(axis="x", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def fan_chart(years: np.ndarray, quantiles: dict[str, np.ndarray], unit: str, title: str,
              subtitle: str, target: np.ndarray | None = None, target_label: str = ""):
    """Quantile bands by year (5-95 %, 25-75 %, median), with the target path over them.

    Parameters
    ----------
    years : numpy.ndarray
        Calendar years (x axis).
    quantiles : dict
        ``q05``, ``q25``, ``q50``, ``q75``, ``q95`` -> arrays over ``years``.
    unit : str
        Unit of the values (scaled for the axis label).
    target : numpy.ndarray, optional
        The target path over ``years``.
    """
    every = np.concatenate([quantiles["q95"], target if target is not None else []])
    factor, label = scaled_unit(every, unit)
    q = {k: v / factor for k, v in quantiles.items()}
    fig, ax = plt.subplots(figsize=(7, 4.2))
    ax.fill_between(years, q["q05"], q["q95"], color=_BLUE, alpha=0.18, label="5-95 %")
    ax.fill_between(years, q["q25"], q["q75"], color=_BLUE, alpha=0.35, label="25-75 %")
    ax.plot(years, q["q50"], color=_BLUE, lw=2, marker="o", label="median")
    if target is not None:
        ax.plot(years, target / factor, color="#c53030", lw=1.5, ls="--", marker="s",
                label=target_label or "target path")
    ax.set_xticks(years, [str(int(y)) for y in years])
    ax.set_xlabel("year (first column: baseline year)")
    ax.set_ylabel(label)
    ax.set_title(f"{title}\n{subtitle}", fontsize=10, loc="left")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig
