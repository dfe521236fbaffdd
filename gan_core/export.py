"""Exports of a run for its page and the command line: its curves as CSV, its history
as a GIF. (Its trained model: engine/modelfile.py.)"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from gan_core.engine.snapshot import RunInfo, Snapshot
    from gan_core.live.history import History

GIF_FRAMES = 60


# --- curves as CSV ---------------------------------------------------------------------


def series_csv(series: dict[str, list[float]]) -> str:
    """The loss and metric series, one row per recorded step, a header row first.

    Columns that are empty for the whole run (InfoGAN's loss for a GAN, mode metrics
    for a target without modes) are left out; a missing value is an empty cell.
    """
    series = {k: list(v) for k, v in series.items()}  # a copy: the reader thread appends
    steps = series.get("step") or []
    n = min((len(v) for v in series.values()), default=0)
    keys = ["step"] + [
        k for k, v in series.items() if k != "step" and any(not math.isnan(float(x)) for x in v[:n])
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(keys)
    for i in range(min(n, len(steps))):
        writer.writerow([_cell(series[k][i], k == "step") for k in keys])
    return out.getvalue()


def rows_csv(rows: list[dict]) -> str:
    """A table of dicts (a sweep's runs) as CSV: every key that appears, in order of
    first appearance; a missing or None value is an empty cell."""
    keys = list(dict.fromkeys(k for row in rows for k in row))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(keys)
    for row in rows:
        writer.writerow(["" if row.get(k) is None else row[k] for k in keys])
    return out.getvalue()


def _cell(value: float, integer: bool) -> str:
    value = float(value)
    if math.isnan(value):
        return ""
    return str(int(value)) if integer else repr(value)


def history_csv(history: History) -> str:
    return series_csv(history.series)


# --- the run as a GIF ------------------------------------------------------------------


def run_gif(
    info: RunInfo,
    snapshots: Sequence[Snapshot],
    max_frames: int = GIF_FRAMES,
    ms_per_frame: int = 120,
) -> bytes:
    """An animated GIF of the snapshots (at most ``max_frames``, evenly spread, the
    last one always in): real points grey, generated points coloured by class or code."""
    from gan_core.figures.gif import frame, write_gif

    snaps = list(snapshots)
    if not snaps:
        raise ValueError("no snapshots to make a GIF of (train a little first)")
    if len(snaps) > max_frames:
        picks = np.unique(np.linspace(0, len(snaps) - 1, max_frames).round().astype(int))
        snaps = [snaps[i] for i in picks]
    cfg = info.config
    frames = [
        frame(
            info,
            snap.fake,
            snap.codes,
            f"{cfg.gan} / {cfg.loss} on {cfg.target}   step {snap.step}",
        )
        for snap in snaps
    ]
    buf = io.BytesIO()
    write_gif(frames, buf, ms_per_frame)
    return buf.getvalue()
