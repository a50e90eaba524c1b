"""Indicator classes: the fixed class breaks, colours and legend labels of each mapped indicator.

:class:`IndicatorClasses` classifies values and gives the colour and label of each class;
:data:`INDICATOR_CLASSES` holds the breaks and palettes of every indicator column, the same on every
map of a report (national choropleths and regional maps). Also the number formatting of legend labels
and counts (:func:`format_count`) and :func:`as_float`, which reads any numeric column as floats.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.colors import to_hex


@dataclass(frozen=True)
class IndicatorClasses:
    """Fixed class breaks of one indicator, identical on every map of a report.

    ``breaks`` ``(b0, ..., bk)`` define k classes ``[b0, b1), [b1, b2), ..., [b_{k-1}, b_k]`` (the last one
    closed). Values outside ``[b0, bk]`` are put in the first / last class (with a warning when they lie
    clearly outside). ``percent`` selects legend labels such as ``"5–10%"`` instead of ``"0.20–0.30"``.
    ``cmap`` names a sequential matplotlib colormap (ColorBrewer or viridis family), or a diverging one for
    changes (breaks symmetric around 0); it is sampled at k evenly spaced positions.
    """

    breaks: tuple[float, ...]
    percent: bool
    cmap: str = "YlOrRd"

    def __post_init__(self) -> None:
        breaks = tuple(float(b) for b in self.breaks)
        if len(breaks) < 2:
            raise ValueError("IndicatorClasses needs at least two breaks (one class)")
        if not all(math.isfinite(b) for b in breaks):
            raise ValueError(f"class breaks must be finite: {breaks}")
        if any(lo >= hi for lo, hi in zip(breaks, breaks[1:])):
            raise ValueError(f"class breaks must increase strictly: {breaks}")
        matplotlib.colormaps[self.cmap]  # raises KeyError for an unknown colormap
        object.__setattr__(self, "breaks", breaks)

    @property
    def n_classes(self) -> int:
        """Number of classes (one fewer than the number of breaks)."""
        return len(self.breaks) - 1

    def classify(self, values: Sequence[float] | np.ndarray | pd.Series) -> np.ndarray:
        """Class index (0 .. k-1) of each value; -1 where the value is NaN / missing."""
        v = as_float(values)
        out = np.full(v.shape, -1, dtype=np.int64)
        ok = np.isfinite(v)
        # Rounding keeps values such as 0.1 + 0.2 in the class a reader expects (0.30 starts a class).
        rounded = np.round(v[ok], 12)
        idx = np.searchsorted(np.asarray(self.breaks), rounded, side="right") - 1
        out[ok] = np.clip(idx, 0, self.n_classes - 1)
        return out

    def count_out_of_range(self, values: Sequence[float] | np.ndarray | pd.Series) -> int:
        """Number of finite values clearly outside ``[b0, bk]`` (beyond rounding noise)."""
        v = as_float(values)
        v = v[np.isfinite(v)]
        tol = 1e-9 * max(1.0, abs(self.breaks[-1] - self.breaks[0]))
        return int(np.sum((v < self.breaks[0] - tol) | (v > self.breaks[-1] + tol)))

    def colors(self) -> list[str]:
        """One hex colour per class, light to dark."""
        cmap = matplotlib.colormaps[self.cmap]
        k = self.n_classes
        positions = [0.5] if k == 1 else np.linspace(0.06, 0.94, k)
        return [to_hex(cmap(float(p))) for p in positions]

    def labels(self, decimal_mark: str = ".") -> list[str]:
        """Legend label of each class, e.g. ``"5–10%"`` or ``"0.30–0.45"``."""
        if self.percent:  # each number as short as possible: "0–0.5%", "0.5–2%"
            scaled = [b * 100.0 for b in self.breaks]
            numbers = [_format_number(x, _decimals_needed([x], 0), decimal_mark) for x in scaled]
        else:  # indices with the same number of decimals throughout: "0.15–0.30"
            decimals = _decimals_needed(self.breaks, minimum=2)
            numbers = [_format_number(x, decimals, decimal_mark) for x in self.breaks]
        dash = " \u2013 " if any(b < 0 for b in self.breaks) else "\u2013"
        suffix = ("\u00a0%" if decimal_mark == "," else "%") if self.percent else ""
        return [f"{lo}{dash}{hi}{suffix}" for lo, hi in zip(numbers, numbers[1:])]


def as_float(values) -> np.ndarray:
    """Float array from numbers, nullable pandas columns (``pd.NA``) or text; invalid -> NaN."""
    series = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=object))
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _decimals_needed(values: Sequence[float], minimum: int, maximum: int = 4) -> int:
    """Smallest number of decimals (>= minimum) that prints every value exactly."""
    for d in range(minimum, maximum + 1):
        if all(abs(round(x, d) - x) < 1e-9 for x in values):
            return d
    return maximum


def _format_number(x: float, decimals: int, decimal_mark: str = ".") -> str:
    """Format a number with a typographic minus sign and the given decimal mark."""
    text = f"{abs(x):.{decimals}f}".replace(".", decimal_mark)
    negative = x < 0 and float(f"{abs(x):.{decimals}f}") != 0.0
    return ("\u2212" if negative else "") + text


def format_count(n: int, decimal_mark: str = ".", thousands_sep: str | None = None) -> str:
    """Integer with thousands separators: ``thousands_sep`` when given (the report's locale: ``1.234`` in
    Spanish), else ``1,234`` (English) or ``1 234`` (comma decimal mark)."""
    text = f"{int(n):,}"
    if thousands_sep is not None:
        return text.replace(",", thousands_sep)
    return text.replace(",", "\u00a0") if decimal_mark == "," else text


_SHARE_BREAKS = (0.0, 0.01, 0.02, 0.05, 0.10, 0.20, 0.50, 1.0)
_DISSIMILARITY_BREAKS = (0.0, 0.15, 0.30, 0.45, 0.60, 0.75, 1.0)
_ISOLATION_BREAKS = (0.0, 0.05, 0.10, 0.20, 0.30, 0.50, 0.70, 1.0)
_SMALL_INDEX_BREAKS = (0.0, 0.05, 0.10, 0.20, 0.30, 0.50, 1.0)

#: Default class breaks per indicator column. Rationale:
#:
#: * shares of Roma pupils / residents (``group_share``, ``census_group_share``): Roma are a small
#:   minority almost everywhere (national shares of about 1–12 %), so the breaks follow a 1-2-5
#:   progression that resolves the low end (0–1, 1–2, 2–5, 5–10, 10–20 %) and keeps 50 % — majority Roma,
#:   the Bulgarian / Belgian threshold for a segregated school — as a break. School and census shares share
#:   the breaks so that residential and school maps compare directly.
#: * dissimilarity D (and its adjusted / bias-corrected versions): equal steps of 0.15 with the conventional
#:   Massey–Denton reading boundaries 0.30 (low / moderate) and 0.60 (moderate / high) as breaks, and
#:   0.75+ for the very high values that small municipalities often show. Adjusted D is negative only where D
#:   is below its random-allocation expectation; such municipalities are never distinguishable from random
#:   allocation and are drawn grey (``muted_column``), so the adjusted map uses the same classes as D.
#: * isolation xPx (the Roma share among a Roma pupil's schoolmates): it is never below the group share,
#:   so the classes are coarser at the low end than for shares; 0.50 stays a break (the average Roma pupil
#:   is in a majority-Roma school). Its palette (ColorBrewer RdPu) differs from the dissimilarity one, so
#:   that the two maps are not read as the same indicator.
#: * normalised exposure V and Theil's H: typical values are much smaller than D, hence finer low classes.
#: * the change of adjusted D between two school years: a diverging palette (ColorBrewer RdBu, readable with
#:   colour-vision deficiencies) symmetric around 0, red where segregation grew and blue where it fell, with
#:   breaks at 0.05, 0.10 and 0.20 either way (a change of 0.10 in D is about one group pupil in ten changing
#:   school); changes within noise are drawn grey (``muted_column``), so the classes next to 0 are rarely used.
_CHANGE_BREAKS = (-1.0, -0.20, -0.10, -0.05, 0.0, 0.05, 0.10, 0.20, 1.0)

INDICATOR_CLASSES: dict[str, IndicatorClasses] = {
    "group_share": IndicatorClasses(_SHARE_BREAKS, percent=True, cmap="YlGnBu"),
    "census_group_share": IndicatorClasses(_SHARE_BREAKS, percent=True, cmap="YlGnBu"),
    "dissimilarity": IndicatorClasses(_DISSIMILARITY_BREAKS, percent=False, cmap="YlOrRd"),
    "dissimilarity_adjusted": IndicatorClasses(_DISSIMILARITY_BREAKS, percent=False, cmap="YlOrRd"),
    "dissimilarity_bias_corrected": IndicatorClasses(
        (-1.0, *_DISSIMILARITY_BREAKS), percent=False, cmap="YlOrRd"
    ),
    "isolation": IndicatorClasses(_ISOLATION_BREAKS, percent=False, cmap="RdPu"),
    "normalised_exposure": IndicatorClasses(_SMALL_INDEX_BREAKS, percent=False, cmap="YlOrRd"),
    "theil": IndicatorClasses(_SMALL_INDEX_BREAKS, percent=False, cmap="YlOrRd"),
    "dissimilarity_adjusted_change": IndicatorClasses(_CHANGE_BREAKS, percent=False, cmap="RdBu_r"),
}
