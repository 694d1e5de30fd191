"""Duration statistics: median, 90th percentile (linear interpolation, `inclusive`), maximum."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from adapters.reports.sla_models import DurationStats

# (case reference, seconds, over budget or None when the sample had no budget)
Sample = tuple[str, float, bool | None]


def p90(values: Sequence[float]) -> float:
    """The 90th percentile as numpy's default (linear) computes it; one value is its own p90."""
    if len(values) == 1:
        return float(values[0])
    return statistics.quantiles(values, n=10, method="inclusive")[8]


def duration_stats(samples: Sequence[Sample], budget_seconds: float | None) -> DurationStats:
    """Figures over `samples`; the share within budget counts budgeted samples only.
    Breaches name each case once, in the order met."""
    durations = [seconds for _, seconds, _ in samples]
    if not durations:
        return DurationStats(budget_seconds=budget_seconds)
    budgeted = [exceeded for _, _, exceeded in samples if exceeded is not None]
    within = budgeted.count(False)
    over = [reference for reference, _, exceeded in samples if exceeded]
    return DurationStats(
        count=len(durations),
        p50=statistics.median(durations),
        p90=p90(durations),
        max=max(durations),
        budget_seconds=budget_seconds,
        within_budget=within,
        within_share=within / len(budgeted) if budgeted else None,
        breaches=list(dict.fromkeys(over)),
        durations=sorted(durations),
    )
