"""What a lecture preset is and how its claims are tested: the pieces of presets.py.

A preset (a title, a caption, a budget, its runs and its claims) and a claim (a
sentence, a test of one seed's rows, the share of seeds it must hold in), with the
building blocks the presets' claims are made of. The registry of presets is presets.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from gan_core.engine.config import RunConfig
from gan_core.engine.coverage import PRDC_KEYS

ROW_KEYS = (
    "seed",
    "modes",
    "modes_total",
    "hq",
    "rkl",
    "effective_modes",
    "purity",
    *PRDC_KEYS,
    "seconds",
)
"""The per-seed result of one run. Rows also hold ``js`` (points on the plane) and, for
cGAN and InfoGAN on the plane, ``code_purity`` (metrics.code_purity: do codes follow the
classes?); on digits ``purity`` is the judge's (judge.py). ``seconds``: the wall time of
the seeds trained together with it (run_rows)."""

Rows = dict[str, dict]
"""One seed's results: run type → row."""


@dataclass(frozen=True)
class Claim:
    """What a preset promises, checked on each seed's rows; must hold in ``share`` of seeds."""

    text: str
    holds: Callable[[Rows], bool] = field(compare=False)
    share: float = 0.9

    def required(self, n_seeds: int) -> int:
        return math.ceil(self.share * n_seeds - 1e-9)

    def count(self, results: dict[str, list[dict]]) -> int:
        """Seeds whose rows satisfy the claim (a missing or diverged run does not)."""
        return sum(_safe(self.holds, rows) for rows in by_seed(results))


def _safe(test: Callable[[Rows], bool], rows: Rows) -> bool:
    try:
        return bool(test(rows))
    except (KeyError, TypeError):  # a run that diverged has no metrics
        return False


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    caption: str
    steps: int
    runs: dict[str, RunConfig] = field(default_factory=dict)
    claims: tuple[Claim, ...] = ()
    """Measured over seeds by ``python -m gan_core preset NAME --seeds 10``."""

    def with_seed(self, seed: int) -> dict[str, RunConfig]:
        return {k: c.replace(seed=seed) for k, c in self.runs.items()}


# --- claim building blocks (one seed's rows → bool) ----------------------------------


def collapsed(run: str) -> Callable[[Rows], bool]:
    """A run is collapsed when effective_modes ≤ K/2 (docs/metrics.md)."""
    return lambda rows: rows[run]["effective_modes"] <= rows[run]["modes_total"] / 2


def covers(run: str, hq: float = 0.0, eff: float = 0.0, rkl: float = math.inf):
    """Every mode covered, with hq ≥ ``hq``, effective_modes ≥ ``eff``·K and rkl < ``rkl``."""

    def test(rows: Rows) -> bool:
        r = rows[run]
        k = r["modes_total"]
        return (
            r["modes"] == k and r["hq"] >= hq and r["effective_modes"] >= eff * k and r["rkl"] < rkl
        )

    return test


def beats(run: str, modes: int, hq: float, rkl: float) -> Callable[[Rows], bool]:
    """The best published figures' thresholds passed at once: ≥ modes, > hq and < rkl. (An
    hq above the target's own, 0.989 on the ring and grid, is no further win: it means
    modes narrower than the data's, docs/metrics.md.)"""

    def test(rows: Rows) -> bool:
        r = rows[run]
        return r["modes"] >= modes and r["hq"] > hq and r["rkl"] < rkl

    return test


def within(run: str, key: str, lo: float = -math.inf, hi: float = math.inf):
    """One metric of one run in [lo, hi]."""
    return lambda rows: lo <= rows[run][key] <= hi


def wider(run: str, than: str = "gan", key: str = "effective_modes"):
    """``run`` above ``than`` with the same seed (effective modes, or ``key``)."""
    return lambda rows: rows[run][key] > rows[than][key]


def both(*tests: Callable[[Rows], bool]) -> Callable[[Rows], bool]:
    return lambda rows: all(t(rows) for t in tests)


def by_seed(results: dict[str, list[dict]]) -> list[Rows]:
    """The results regrouped per seed: [{run type: row}, ...] (seeds every run type has)."""
    seeds: dict[int, Rows] = {}
    for kind, rows in results.items():
        for row in rows:
            seeds.setdefault(row["seed"], {})[kind] = row
    return [rows for _, rows in sorted(seeds.items()) if len(rows) == len(results)]
