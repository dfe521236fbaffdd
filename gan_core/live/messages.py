"""The protocol between the server and its training processes: one class per message.

The server (runner.py's Worker, on behalf of each run's JobHandle) sends ToWorker
messages; a training process (worker.py) sends ToServer messages. They travel pickled
over one socket per process (a multiprocessing Connection). Each side handles them in
one table from message class to handler (``worker.HANDLERS``, ``runner.HANDLERS``), and
a test checks that every class here is in the table of the side that receives it.

A run's state changes (running, paused, done, diverged) travel inside its snapshots;
an Error ends the run on both sides.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from gan_core.engine.config import RunConfig
    from gan_core.engine.snapshot import RunInfo, Snapshot

message = dataclasses.dataclass(frozen=True, slots=True)
"""Messages are frozen (a value, never edited after it is sent) and slotted (small)."""


class ToWorker:
    """A message from the server to a training process, about one run (``run_id``)."""

    __slots__ = ()


class ToServer:
    """A message from a training process to the server."""

    __slots__ = ()


# --- server -> training process ------------------------------------------------------
@message
class Start(ToWorker):
    """Server: make run ``run_id`` from ``config`` and start it (or hold it paused).

    ``opts`` (runner.submit's): fps, max_steps, max_seconds (budgets; 0: none), paused,
    speed (steps/s from the first step; 0: flat out), layers (probe names, probes.LAYERS),
    view_code, view_cont, picture (False: no cloud image, for the Sweep page's figures-only
    runs), dot (the points' radius in pixels; raster.PRESENT_DOT in presentation mode),
    metrics_every (seconds between evaluations at least: a sweep's map needs few),
    init_state (a model file, modelfile.model_bytes: the run goes on from its weights,
    optimiser states and step). The process answers with an Info and a first Snap, or an
    Error when the run cannot be made.
    """

    run_id: int
    config: RunConfig
    opts: dict


@message
class Pause(ToWorker):
    """Server: stop training run ``run_id``, keeping it; a Snap says it is paused."""

    run_id: int


@message
class Resume(ToWorker):
    """Server: train paused run ``run_id`` again."""

    run_id: int


@message
class Step(ToWorker):
    """Server: ``n`` more steps of paused (or done) run ``run_id``; ``mode`` (one of
    handle.STEP_MODES) says what each trains. A Snap follows the last of them."""

    run_id: int
    n: int
    mode: str


@message
class Set(ToWorker):
    """Server: live changes to run ``run_id`` that keep its optimiser state.

    ``changes`` holds only the keys that change (handle.SETTABLE): lr_g, lr_d, d_steps,
    speed (steps/s, 0: flat out), mode, layers, view_code, view_cont. A paused run
    answers a view change with a new Snap.
    """

    run_id: int
    changes: dict


@message
class Save(ToWorker):
    """Server: send run ``run_id``'s model file; the process answers with a ModelFile."""

    run_id: int


@message
class Stop(ToWorker):
    """Server: end run ``run_id`` and forget it (no answer)."""

    run_id: int


# --- training process -> server ------------------------------------------------------
@message
class Ready(ToServer):
    """Process ``pid``: warmed up (torch imported, one throw-away step), runs may start."""

    pid: int


@message
class Info(ToServer):
    """Process: what does not change in run ``run_id`` (its real data, extent, image
    shape), sent once when the run is made."""

    run_id: int
    info: RunInfo


@message
class Snap(ToServer):
    """Process: run ``run_id``'s newest snapshot, about ``fps`` a second while it trains
    and after each change of its state. Its ``state`` says whether the run is running,
    paused, done (a budget reached) or diverged."""

    run_id: int
    snapshot: Snapshot


@message
class ModelFile(ToServer):
    """Process: run ``run_id``'s model file (modelfile.model_bytes), the answer to Save."""

    run_id: int
    data: bytes


@message
class Error(ToServer):
    """Process: run ``run_id`` failed (``message`` says why) and has left the process;
    the other runs go on."""

    run_id: int
    message: str


# --- dispatch ------------------------------------------------------------------------
class Unhandled(LookupError):
    """A message its receiver has no handler for: a bug in the sender, named at once."""


H = TypeVar("H")


def handler_for(table: Mapping[type, H], msg: object, receiver: str) -> H:
    """The handler for ``msg``'s class in ``table``; Unhandled, naming both, if none."""
    try:
        return table[type(msg)]
    except KeyError:
        known = ", ".join(sorted(kind.__name__ for kind in table))
        raise Unhandled(
            f"{receiver} has no handler for {type(msg).__name__} (it handles {known})"
        ) from None
