"""Duration distributions as histogram data, drawn against the budget line by both renderers."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    low: float
    high: float
    count: int
    over_budget: bool  # the whole bar lies past the budget


@dataclass(frozen=True)
class Histogram:
    bars: tuple[Bar, ...]
    x_max: float
    y_max: int
    budget: float | None


def histogram(durations: Sequence[float], budget: float | None, bins: int = 12) -> Histogram:
    """Equal-width bins from 0 to a little past the longest duration or the budget."""
    top = max([*durations, budget or 0.0, 1.0]) * 1.05
    width = _nice(top / bins)
    bins = max(1, math.ceil(top / width))
    counts = [0] * bins
    for value in durations:
        counts[min(int(value // width), bins - 1)] += 1
    bars = tuple(
        Bar(i * width, (i + 1) * width, n, budget is not None and i * width >= budget)
        for i, n in enumerate(counts)
    )
    return Histogram(bars=bars, x_max=bins * width, y_max=max(counts, default=0), budget=budget)


def _nice(step: float) -> float:
    """Round a bin width up to 1, 2, 5 x 10^k seconds."""
    magnitude = 10 ** math.floor(math.log10(step))
    for factor in (1, 2, 5, 10):
        if step <= factor * magnitude:
            return float(factor * magnitude)
    return float(10 * magnitude)
