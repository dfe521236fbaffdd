"""A run as its page sees it (JobHandle): state, newest snapshot, history, commands; the
runner (runner.py) starts, queues and ends it."""

from __future__ import annotations

import dataclasses
import itertools
import threading
import time
from typing import TYPE_CHECKING

from gan_core.engine.config import RunConfig
from gan_core.live.history import History
from gan_core.live.messages import (
    Error,
    Info,
    ModelFile,
    Pause,
    Resume,
    Save,
    Set,
    Snap,
    Start,
    Step,
    ToWorker,
)

if TYPE_CHECKING:
    from gan_core.live.runner import Runner, Worker

STEP_MODES = ("both", "d", "g")
"""What one step trains: the configured D steps and one G step, or one step of D or G."""
SETTABLE = ("lr_g", "lr_d", "d_steps", "speed", "mode", "layers", "view_code", "view_cont")

ACTIVE = ("starting", "running", "paused", "diverged", "done")
ENDED = ("stopped", "error")


class JobHandle:
    """One run as the page sees it: state, newest snapshot, history, commands."""

    _ids = itertools.count(1)

    def __init__(self, runner: Runner, config: RunConfig, opts: dict, alive=None, slot=None):
        self.id = next(self._ids)
        self.slot = self.id if slot is None else slot  # a group's runs queue as one
        self.held = False  # a group member waiting to start with the others
        self.alive = alive  # () -> bool: is the page's session still connected?
        self.gone_since: float | None = None
        self.runner = runner
        self.config = config
        self.opts = opts
        self.state = "queued"
        self.message = ""
        self.info = None
        self.history = History()
        self.worker: Worker | None = None
        self.last_poll = time.monotonic()
        self.created = time.monotonic()
        self.started_at: float | None = None
        self.first_frame_s: float | None = None
        self.idle_paused = False
        self._pending: dict = {}
        self._model_replies: list[bytes] = []
        self._model_ready = threading.Event()
        self._lock = threading.Lock()

    # --- what the page reads ---------------------------------------------------------
    def latest(self):
        """The newest snapshot (or None); also tells the reaper the page is alive."""
        self.touch()
        return self.history.latest()

    def touch(self) -> None:
        self.last_poll = time.monotonic()
        if self.idle_paused and self.state == "paused":
            self.idle_paused = False
            self.resume()

    @property
    def queue_position(self) -> int | None:
        return self.runner.queue_position(self)

    @property
    def step(self) -> int:
        snap = self.history.latest()
        return snap.step if snap else 0

    def series(self) -> dict[str, list[float]]:
        """A consistent copy of the loss and metric series: the process's reader thread
        appends to them (History.add), so a page reading them directly may find one
        series a point longer than another."""
        with self._lock:
            return {k: list(v) for k, v in self.history.series.items()}

    def snapshots(self) -> list:
        """A copy of the snapshot timeline, oldest first (for export.run_gif)."""
        with self._lock:
            return list(self.history.snapshots)

    # --- commands --------------------------------------------------------------------
    def _send(self, msg: ToWorker) -> None:
        if self.worker is not None and self.state in ACTIVE:
            self.worker.send(msg)

    def pause(self) -> None:
        self.held = False  # a pause pressed before a group's start wins
        self._send(Pause(self.id))

    def resume(self) -> None:
        self._send(Resume(self.id))

    def step_once(self, n: int = 1, mode: str = "both") -> None:
        """n steps of a paused (or done) run; ``mode`` is one of STEP_MODES."""
        check_mode(mode)
        self._send(Step(self.id, int(n), mode))

    def set(self, **changes) -> None:
        """Live changes that keep optimiser state; keys are SETTABLE:

        lr_g, lr_d, d_steps; speed (steps/s, 0 = flat out); mode (STEP_MODES: what
        running trains); layers (probe names, probes.LAYERS; () for none); view_code
        (a class or code for every view point, None for all); view_cont (InfoGAN's
        first continuous code in the view, None: drawn). A paused run sends a new
        snapshot when the view settings change.
        """
        check_changes(changes)
        fields = {k: v for k, v in changes.items() if k in ("lr_g", "lr_d", "d_steps")}
        if fields:
            self.config = dataclasses.replace(self.config, **fields)
        if self.worker is None:
            self._pending.update(changes)
        else:
            self._send(Set(self.id, changes))

    def save_model(self, timeout: float = 10.0) -> bytes:
        """The run's model file (modelfile.model_bytes), asked of its worker; the page offers
        it for download. RuntimeError when the run has no live worker, TimeoutError when
        the worker does not answer in time."""
        if self.worker is None or self.state not in ACTIVE:
            raise RuntimeError(f"the run is {self.state}: there is no model to save")
        with self._lock:
            self._model_replies.clear()
            self._model_ready.clear()
        self._send(Save(self.id))
        if not self._model_ready.wait(timeout):
            raise TimeoutError(f"the training process did not send its model in {timeout:g} s")
        with self._lock:
            return self._model_replies.pop()

    def stop(self) -> None:
        self.runner.stop(self)

    # --- the runner's side ------------------------------------------------------------
    def attach(self, worker: Worker) -> None:
        self.worker = worker
        self.state = "starting"
        self.started_at = time.monotonic()
        worker.jobs[self.id] = self
        worker.send(Start(self.id, self.config, self.opts))
        if self._pending:
            worker.send(Set(self.id, self._pending))

    # --- messages from its process (runner.HANDLERS, on the worker's reader thread) --
    def on_info(self, msg: Info) -> None:
        self.info = msg.info

    def on_snap(self, msg: Snap) -> None:
        snap = msg.snapshot
        if self.first_frame_s is None:
            self.first_frame_s = time.monotonic() - self.started_at
            self.last_poll = time.monotonic()  # idle time counts from here
        with self._lock:
            self.history.add(snap)
        if self.state not in ENDED:
            self.state, self.message = snap.state, snap.message
            if snap.state == "done" and self.opts.get("end_when_done"):
                self.runner.retire(self)

    def on_model(self, msg: ModelFile) -> None:
        with self._lock:
            self._model_replies.append(msg.data)
        self._model_ready.set()

    def on_error(self, msg: Error) -> None:
        self.state, self.message = "error", msg.message
        self.runner.release(self)

    def died(self, code: int) -> None:
        """Its process ended under it."""
        if self.state not in ENDED:
            self.state = "error"
            self.message = self.message or (
                f"the training process ended unexpectedly (exit code {code}); "
                "press Reset to start again"
            )


def check_mode(mode: str) -> None:
    if mode not in STEP_MODES:
        raise ValueError(f"unknown step mode {mode!r}; one of {', '.join(STEP_MODES)}")


def check_changes(changes: dict) -> None:
    """ValueError for an unknown key, step mode or layer name (before the worker sees it)."""
    unknown = set(changes) - set(SETTABLE)
    if unknown:
        raise ValueError(f"cannot set {sorted(unknown)[0]!r}; one of {', '.join(SETTABLE)}")
    if "mode" in changes:
        check_mode(changes["mode"])
    if changes.get("layers"):
        from gan_core.engine.probes import check_layers  # (imports torch: only when asked)

        check_layers(changes["layers"])
