"""Training many runs at once: each run into a cohort that suits it, and headless training.

Runs of one MLP shape stack in cohorts (cohort.py) of up to MAX_STACK; a convolutional
run (``arch`` dcgan) trains in a cohort of its own (solo.py). Either way each run's
numbers are those it has alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from gan_core.engine.cohort import Cohort
from gan_core.engine.config import RunConfig
from gan_core.engine.divergence import Diverged
from gan_core.engine.solo import SoloCohort

if TYPE_CHECKING:
    from gan_core.engine.trainer import Trainer


def new_cohort(cfg: RunConfig) -> Cohort:
    """An empty cohort for a run of this config: stacked MLPs, or a convolutional run's
    own (solo.py)."""
    if cfg.trains_alone:
        return SoloCohort()
    return Cohort()


def join(t: Trainer, cohorts: list[Cohort]) -> Cohort:
    """Put a run into a cohort of ``cohorts`` it fits (with room), or a new one appended."""
    home = next((c for c in cohorts if c.fits(t.cfg)), None)
    if home is None:
        home = new_cohort(t.cfg)
        cohorts.append(home)
    home.add(t)
    return home


def train_together(
    runs: list[Trainer], steps: int, chunk: int = 100, tick: Callable[[int], None] | None = None
) -> tuple[dict[Trainer, Diverged], float]:
    """Train every run to ``steps`` steps, headless: runs of one shape stacked in cohorts
    of up to MAX_STACK, the cohorts in turn, ``chunk`` steps at a time. Returns the runs
    that diverged (they stop; the others go on) and the seconds spent training.
    ``tick(steps_done)`` after each chunk, for a progress bar (the slowest run's step).
    """
    cohorts: list[Cohort] = []
    for t in runs:
        join(t, cohorts)
    diverged: dict[Trainer, Diverged] = {}
    seconds = 0.0
    while True:
        left = [t for t in runs if t not in diverged and t.step_count < steps]
        if not left:
            break
        t0 = time.perf_counter()
        for cohort in cohorts:
            for _ in range(chunk):
                plan = {t: "both" for t in cohort.members if t.step_count < steps}
                plan = {t: m for t, m in plan.items() if t not in diverged}
                if not plan:
                    break
                for t, exc in cohort.train(plan):
                    diverged[t] = exc
        seconds += time.perf_counter() - t0
        if tick:
            tick(min(t.step_count for t in left))
    for cohort in cohorts:  # the last check, as Trainer.run ends with one
        for t, exc in cohort.check():
            diverged.setdefault(t, exc)
    return diverged, seconds
