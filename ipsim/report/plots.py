"""Report-ready plots (PNG and SVG): attainment bars and fan charts.

The only module that imports matplotlib (with the non-interactive Agg backend).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ipsim.report import fonts  # noqa: E402
from ipsim.report.i18n import tr  # noqa: E402
from ipsim.runtime.atomic import write_atomic  # noqa: E402

fonts.configure()   # a CJK font first when one is installed; SVG text kept as text

__all__ = ["attainment_chart", "fan_chart", "save", "scaled_unit",
           "grouped_attainment_chart", "forest_plot", "palette", "plt"]

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


def scaled_unit(values: np.ndarray, unit: str, lang: str = "en") -> tuple[float, str]:
    """A divisor and unit label that keep tick labels short (yuan -> million/billion yuan;
    in Chinese 万 and 亿)."""
    top = float(np.nanmax(np.abs(values))) if np.size(values) else 0.0
    steps = ((1e8, "yi"), (1e4, "wan")) if lang == "zh" else \
        ((1e9, "billion"), (1e6, "million"), (1e3, "thousand"))
    for factor, word in steps:
        if top >= 10 * factor:
            return factor, tr(lang, f"plot.scale_{word}", unit=unit)
    return 1.0, unit


def attainment_chart(rows: list[dict], title: str, subtitle: str, lang: str = "en"):
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
        ax.text(min(hii + 1.5, 101), yi, tr(lang, "plot.percent", value=f"{pi:.1f}"),
                va="center", fontsize=8)
    ax.set_yticks(y, labels, fontsize=9)
    ax.set_xlim(0, 112)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel(tr(lang, "plot.attainment_axis"))
    ax.set_title(f"{title}\n{subtitle}", fontsize=10, loc="left")
    ax.grid(axis="x", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def fan_chart(years: np.ndarray, quantiles: dict[str, np.ndarray], unit: str, title: str,
              subtitle: str, target: np.ndarray | None = None, target_label: str = "",
              lang: str = "en"):
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
    factor, label = scaled_unit(every, unit, lang)
    q = {k: v / factor for k, v in quantiles.items()}
    fig, ax = plt.subplots(figsize=(7, 4.2))
    ax.fill_between(years, q["q05"], q["q95"], color=_BLUE, alpha=0.18,
                    label=tr(lang, "plot.band_90"))
    ax.fill_between(years, q["q25"], q["q75"], color=_BLUE, alpha=0.35,
                    label=tr(lang, "plot.band_50"))
    ax.plot(years, q["q50"], color=_BLUE, lw=2, marker="o", label=tr(lang, "plot.median"))
    if target is not None:
        ax.plot(years, target / factor, color="#c53030", lw=1.5, ls="--", marker="s",
                label=target_label or tr(lang, "plot.target_path"))
    ax.set_xticks(years, [str(int(y)) for y in years])
    ax.set_xlabel(tr(lang, "plot.year_axis"))
    ax.set_ylabel(label)
    ax.set_title(f"{title}\n{subtitle}", fontsize=10, loc="left")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def palette(k: int) -> list:
    """``k`` distinct colours (tab10, or tab20 past ten)."""
    cmap = plt.get_cmap("tab10" if k <= 10 else "tab20")
    return [cmap(i % cmap.N) for i in range(k)]


def _legend_below(ax, k: int, height: float) -> None:
    """The legend centred under the x-axis label (about 0.55 inch below the axes)."""
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.55 / (height - 1.4)),
              ncol=min(k, 4), frameon=False)


def _group_positions(rows: int, k: int) -> tuple[np.ndarray, float]:
    """y of every (row, series) bar, rows top to bottom, series in order within a row."""
    step = 0.8 / k
    y = np.arange(rows)[::-1, None] + 0.4 - step * (np.arange(k)[None, :] + 0.5)
    return y, step


def grouped_attainment_chart(labels: list[str], series: list[dict], title: str,
                             subtitle: str, lang: str = "en"):
    """Horizontal bars of P(attained) per target (rows), one bar per scenario (series).

    ``series``: dicts with ``name`` and arrays over ``labels`` of ``probability``,
    ``ci_low``, ``ci_high`` (fractions); the intervals are drawn as error bars.
    """
    k = len(series)
    y, step = _group_positions(len(labels), k)
    height = 0.11 * k * len(labels) + 0.25 * len(labels) + 2.0
    fig, ax = plt.subplots(figsize=(8.5, height))
    for i, (s, colour) in enumerate(zip(series, palette(k), strict=True)):
        p = np.asarray(s["probability"]) * 100
        lo, hi = np.asarray(s["ci_low"]) * 100, np.asarray(s["ci_high"]) * 100
        ax.barh(y[:, i], p, height=step * 0.9, color=colour, label=s["name"])
        ax.errorbar(p, y[:, i], xerr=[p - lo, hi - p], fmt="none", ecolor="black",
                    capsize=1.5, lw=0.7)
    ax.set_yticks(np.arange(len(labels))[::-1], labels, fontsize=9)
    ax.set_xlim(0, 100)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel(tr(lang, "plot.attainment_axis"))
    return _finish_horizontal(fig, ax, title, subtitle, k, height)


def forest_plot(labels: list[str], series: list[dict], title: str, subtitle: str,
                first_colour: int = 1, lang: str = "en"):
    """Differences from the base per target (rows), one marker and interval per variant.

    ``series``: dicts with ``name`` and arrays over ``labels`` of ``diff``, ``diff_ci_low``,
    ``diff_ci_high`` (fractions; drawn in percentage points), around a line at 0. Colours
    start at palette entry ``first_colour`` (1: entry 0 is the base's in
    :func:`grouped_attainment_chart`).
    """
    k = len(series)
    y, step = _group_positions(len(labels), k)
    height = 0.13 * k * len(labels) + 0.2 * len(labels) + 2.0
    fig, ax = plt.subplots(figsize=(8.5, height))
    for r in range(0, len(labels), 2):
        ax.axhspan(len(labels) - 1 - r - 0.5, len(labels) - 1 - r + 0.5, color="#f1f1f1",
                   zorder=0)
    ax.axvline(0.0, color="black", lw=0.8, zorder=1)
    for i, (s, colour) in enumerate(zip(series, palette(k + first_colour)[first_colour:],
                                        strict=True)):
        d = np.asarray(s["diff"]) * 100
        lo, hi = np.asarray(s["diff_ci_low"]) * 100, np.asarray(s["diff_ci_high"]) * 100
        ax.errorbar(d, y[:, i], xerr=[d - lo, hi - d], fmt="o", ms=3.5, color=colour,
                    ecolor=colour, capsize=2, lw=1, label=s["name"], zorder=2)
    ax.set_yticks(np.arange(len(labels))[::-1], labels, fontsize=9)
    ax.set_ylim(-0.5, len(labels) - 0.5)
    ax.set_xlabel(tr(lang, "plot.difference_axis"))
    return _finish_horizontal(fig, ax, title, subtitle, k, height)


def _finish_horizontal(fig, ax, title: str, subtitle: str, k: int, height: float):
    """Title, x grid, legend below and bare top/right spines of a horizontal chart."""
    ax.set_title(f"{title}\n{subtitle}", fontsize=10, loc="left")
    ax.grid(axis="x", alpha=0.3)
    _legend_below(ax, k, height)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig
