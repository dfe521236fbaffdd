"""A page reads a run's curves while the process's reader thread appends to them."""

import sys
import threading

import numpy as np

from gan_core.engine.config import RunConfig
from gan_core.engine.snapshot import Snapshot
from gan_core.live.handle import JobHandle
from gan_core.live.messages import Snap


class Runner:
    def queue_position(self, handle):
        return None


def test_the_series_a_page_reads_are_all_one_length_while_snapshots_arrive():
    h = JobHandle(Runner(), RunConfig(), {})
    h.state, h.started_at = "starting", h.created
    h.history.series_cap = 64  # thin often: thinning replaces the lists
    fake, codes = np.zeros((2, 2)), np.zeros(2)

    def reader_thread():
        for step in range(1, 5_001):
            snap = Snapshot(step, 0.0, 0.0, fake, codes, {"loss_d": 1.0, "loss_g": 2.0})
            h.on_snap(Snap(h.id, snap))

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often
    try:
        t = threading.Thread(target=reader_thread)
        t.start()
        lengths = []
        while t.is_alive():
            lengths.append({len(v) for v in h.series().values()})
        t.join()
    finally:
        sys.setswitchinterval(old)
    uneven = [s for s in lengths if len(s) > 1]
    assert len(lengths) > 100 and not uneven, f"{len(uneven)} of {len(lengths)} reads uneven"
