"""Bounded history of a run: memory stays the same however long the run goes.

Snapshots live in a ring buffer (the timeline); the loss and metric series are thinned
(every other point dropped) each time they reach their cap, so they always span the
whole run at a coarser grain. Metrics are recorded at the steps they were measured at
(NaN between evaluations, where a snapshot repeats the last ones).
"""

from __future__ import annotations

import dataclasses
import os
from collections import deque

from gan_core.engine.coverage import PRDC_KEYS
from gan_core.engine.snapshot import Snapshot

HISTORY_LEN = int(os.environ.get("GANLAB_HISTORY", "300"))
SERIES_CAP = 2000
SERIES_KEYS = (
    "step",
    "loss_d",
    "loss_g",
    "loss_info",
    "modes",
    "hq",
    "effective_modes",
    "js",
    "purity",
    *PRDC_KEYS,
)


class History:
    def __init__(self, maxlen: int = HISTORY_LEN, series_cap: int = SERIES_CAP):
        self.snapshots: deque[Snapshot] = deque(maxlen=maxlen)
        self.series: dict[str, list[float]] = {k: [] for k in SERIES_KEYS}
        self.series_cap = series_cap

    def add(self, snap: Snapshot) -> None:
        if self.snapshots and snap.step == self.snapshots[-1].step:
            self.snapshots[-1] = snap  # a state change without new steps: replace
            return
        if self.snapshots and self.snapshots[-1].image is not None:
            # only the newest keeps its picture: memory stays small however long the run
            self.snapshots[-1] = dataclasses.replace(self.snapshots[-1], image=None)
        self.snapshots.append(snap)
        if snap.step == 0:
            return  # no losses yet: keep the curves from starting at a made-up 0
        row = {"step": snap.step, **snap.losses, **(snap.metrics if snap.measured else {})}
        for key, values in self.series.items():
            value = row.get(key)
            values.append(float(value) if value is not None else float("nan"))
        if len(self.series["step"]) >= self.series_cap:
            for key in self.series:
                self.series[key] = self.series[key][::2]

    def latest(self) -> Snapshot | None:
        return self.snapshots[-1] if self.snapshots else None

    def clear(self) -> None:
        self.snapshots.clear()
        for values in self.series.values():
            values.clear()
