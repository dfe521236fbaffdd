"""Random streams: each run's draws for its steps, alone (Stream) and stacked (StackedStream).

A run draws D's steps (real batch, latents, the gradient penalty's mixing) and G's steps
(latents) from two generators of its own, seeded from its seed, ``block`` steps at a time.
Its numbers therefore depend only on its own sequence of steps, never on the runs it
trains beside. In a cohort each field is stacked ``[N, block, batch, …]`` and every run's
Stream holds a view of its slice, so a refill writes straight into the stack.
"""

from __future__ import annotations

import numpy as np
import torch

from gan_core.engine import targets as T
from gan_core.engine.config import RunConfig
from gan_core.engine.gans import GAN

Tensor = torch.Tensor

STREAM_FLOATS = 2**16
"""Numbers per field of one stream block (see Stream): memory per run stays small."""
MAX_BLOCK = 32


def block_size(cfg: RunConfig) -> int:
    """Steps per stream block: a function of the run's shapes only."""
    return max(
        1, min(MAX_BLOCK, STREAM_FLOATS // (cfg.batch * (cfg.z_dim + T.TARGETS[cfg.target].dim)))
    )


class Stream:
    """One kind of draw of one run (D's steps: real batch and latents; G's: latents),
    made ``block`` steps at a time from the run's own generator for that kind.

    A block costs one call per field instead of one per step. ``state`` is the
    generator's state before the current block was drawn, so a saved run can redraw
    that block and go on exactly (modelfile.py). ``pos`` is the next step's row; a
    cohort advances it and calls ``refill`` when the block is used up (``pos == block``)
    and the run needs its next draw.
    """

    def __init__(self, model: GAN, data, seed: int, real: bool, block: int, batch: int):
        self.model, self.data, self.real = model, data, real
        self.block, self.batch = block, batch
        self.gen = torch.Generator().manual_seed(seed)
        probe = model.draw(1, torch.Generator().manual_seed(0), data, real)
        self.fields = {
            k: torch.empty((block, batch, *v.shape[1:]), dtype=v.dtype) for k, v in probe.items()
        }
        self.refill()

    def refill(self) -> None:
        """Draw the next block into the fields (in place: a cohort holds views of them)."""
        self.state = self.gen.get_state()
        drawn = self.model.draw(self.block * self.batch, self.gen, self.data, self.real)
        for key, value in drawn.items():
            self.fields[key].copy_(value.view(self.fields[key].shape))
        self.pos = 0

    def restore(self, state: torch.Tensor, pos: int) -> None:
        """The stream as saved: redraw that block from ``state``, go on from row ``pos``."""
        if not 0 <= pos <= self.block:
            raise ValueError(f"stream position {pos} is outside its block of {self.block}")
        self.gen.set_state(state)
        self.refill()
        self.pos = pos


class StackedStream:
    """One kind of draw of a cohort's N runs: each field ``[N, block, batch, …]``, each
    run's Stream re-pointed to its slice. The positions live here (``pos``, one per run)
    while the stack stands; ``write_back`` returns them to the runs' Streams."""

    def __init__(self, streams: list[Stream]):
        self.streams = streams
        self.fields: dict[str, Tensor] = {}
        for name in streams[0].fields:
            stacked = torch.stack([s.fields[name] for s in streams])
            for i, s in enumerate(streams):
                s.fields[name] = stacked[i]
            self.fields[name] = stacked
        self.pos = np.array([s.pos for s in streams], dtype=np.int64)
        self.same_pos = bool((self.pos == self.pos[0]).all())
        self.block = streams[0].block
        self.base = np.arange(len(streams), dtype=np.int64) * self.block

    def next(self, mask: np.ndarray | None) -> dict[str, Tensor]:
        """Each run's next draw, ``[N, batch, …]``; the runs in ``mask`` (None: all)
        advance. Runs at the same row of their blocks (alone, or runs that started
        together) read views of it; others a gathered copy. A used-up block is drawn
        anew here, before it is read, never while a step still reads its rows."""
        pos = self.pos
        for i in np.flatnonzero(pos == self.block):
            self.streams[i].refill()
            pos[i] = 0
        if self.same_pos:
            row = int(pos[0])
            out = {k: v[:, row] for k, v in self.fields.items()}
        else:
            idx = torch.from_numpy(self.base + pos)
            out = {k: v.flatten(0, 1).index_select(0, idx) for k, v in self.fields.items()}
        if mask is None:
            pos += 1
        else:
            pos += mask
            self.same_pos = bool((pos == pos[0]).all())
        return out

    def write_back(self) -> None:
        """Each run's Stream at its position in the stack (before the stack changes, or
        a run is saved)."""
        for s, p in zip(self.streams, self.pos, strict=True):
            s.pos = int(p)
