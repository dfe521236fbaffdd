"""Runner: training jobs in worker processes, a warm spare, a cap, a queue, a reaper.

The server holds one Runner. Each browser session holds JobHandles; a handle reads its
worker's snapshots on a thread into a bounded History, so the page only ever reads the
newest one. Runs beyond the cap wait in a queue with a visible position. A run whose
page stopped asking for snapshots pauses, then ends (its worker exits).

The cap counts slots, one per thing a page asked to run: a single run, or a *group*
(the Compare page's 2–4 runs side by side) that starts, queues and holds its slot as one.
A group's members are separate worker processes sharing that slot's CPU, so the cap
bounds demonstrations, not processes (at most MAX_GROUP per slot). They start paused and
are resumed together once every member has its first frame, so a warm member cannot race
ahead while the others import torch.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from multiprocessing.connection import Connection
from pathlib import Path

from gan_core.config import RunConfig
from gan_core.history import History

ROOT = Path(__file__).resolve().parent.parent


def env_number(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


MAX_RUNS = int(env_number("GANLAB_MAX_RUNS", os.cpu_count() or 1))
IDLE_PAUSE_S = env_number("GANLAB_IDLE_PAUSE", 20)
IDLE_STOP_S = env_number("GANLAB_IDLE_STOP", 60)
GONE_GRACE_S = env_number("GANLAB_GONE_GRACE", 5)
"""A run whose page's connection is gone this long ends (a reload reconnects sooner)."""
MAX_STEPS = int(env_number("GANLAB_MAX_STEPS", 1_000_000))
MAX_SECONDS = env_number("GANLAB_MAX_SECONDS", 1800)
MAX_GROUP = 4
"""Runs in one group (one slot)."""

STEP_MODES = ("both", "d", "g")
"""What one step trains: the configured D steps and one G step, or one step of D or G."""
SETTABLE = ("lr_g", "lr_d", "d_steps", "speed", "mode", "layers", "view_code", "view_cont")

ACTIVE = ("starting", "running", "paused", "diverged", "done")
ENDED = ("stopped", "error")


class Worker:
    """One worker process and our end of its socket."""

    def __init__(self, spare: bool = False):
        """``spare``: warm up in the idle class (worker.py); a run's own worker never does."""
        ours, theirs = socket.socketpair()
        env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(ROOT))
        env["GANLAB_IDLE_WARMUP"] = "1" if spare else "0"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gan_core.worker", str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            cwd=str(ROOT),
            env=env,
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self.conn = Connection(ours.detach())
        self.ready = threading.Event()
        self.pid = self.proc.pid

    def wait_ready(self, timeout: float) -> bool:
        if not self.ready.is_set() and self.conn.poll(timeout):
            msg = self.conn.recv()
            if msg[0] == "ready":
                self.ready.set()
        return self.ready.is_set()

    def promote(self) -> None:
        """End an idle-class warm-up now: a run is waiting on this worker.

        The spare warms up in SCHED_IDLE (see worker.py); on a busy machine that could
        take forever, so the run that takes it lifts it to normal priority.
        """
        try:
            os.sched_setscheduler(self.pid, os.SCHED_OTHER, os.sched_param(0))
        except (OSError, AttributeError):
            pass

    def send(self, *msg) -> bool:
        try:
            self.conn.send(msg)
            return True
        except OSError:
            return False

    def kill(self) -> None:
        try:
            self.conn.close()
        except OSError:
            pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class JobHandle:
    """One run as the page sees it: state, newest snapshot, history, commands."""

    _ids = itertools.count(1)

    def __init__(self, runner: Runner, config: RunConfig, opts: dict, alive=None, slot=None):
        self.id = next(self._ids)
        self.slot = self.id if slot is None else slot  # runs sharing a slot count once
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
        """A consistent copy of the loss and metric series (for export.series_csv)."""
        with self._lock:
            return {k: list(v) for k, v in self.history.series.items()}

    def snapshots(self) -> list:
        """A copy of the snapshot timeline, oldest first (for export.run_gif)."""
        with self._lock:
            return list(self.history.snapshots)

    # --- commands --------------------------------------------------------------------
    def _send(self, *msg) -> None:
        if self.worker is not None and self.state in ACTIVE:
            self.worker.send(*msg)

    def pause(self) -> None:
        self.held = False  # a pause pressed before a group's start wins
        self._send("pause")

    def resume(self) -> None:
        self._send("resume")

    def step_once(self, n: int = 1, mode: str = "both") -> None:
        """n steps of a paused (or done) run; ``mode`` is one of STEP_MODES."""
        _check_mode(mode)
        self._send("step", int(n), mode)

    def set(self, **changes) -> None:
        """Live changes that keep optimiser state; keys are SETTABLE:

        lr_g, lr_d, d_steps; speed (steps/s, 0 = flat out); mode (STEP_MODES: what
        running trains); layers (probe names, probes.LAYERS; () for none); view_code
        (a class or code for every view point, None for all); view_cont (InfoGAN's
        first continuous code in the view, None: drawn). A paused run sends a new
        snapshot when the view settings change.
        """
        _check_changes(changes)
        fields = {k: v for k, v in changes.items() if k in ("lr_g", "lr_d", "d_steps")}
        if fields:
            self.config = dataclasses.replace(self.config, **fields)
        if self.worker is None:
            self._pending.update(changes)
        else:
            self._send("set", changes)

    def save_model(self, timeout: float = 10.0) -> bytes:
        """The run's model file (export.model_bytes), asked of its worker; the page offers
        it for download. RuntimeError when the run has no live worker, TimeoutError when
        the worker does not answer in time."""
        if self.worker is None or self.state not in ACTIVE:
            raise RuntimeError(f"the run is {self.state}: there is no model to save")
        with self._lock:
            self._model_replies.clear()
            self._model_ready.clear()
        self._send("save")
        if not self._model_ready.wait(timeout):
            raise TimeoutError(f"the training process did not send its model in {timeout:g} s")
        with self._lock:
            return self._model_replies.pop()

    def stop(self) -> None:
        self.runner.stop(self)

    # --- worker side -------------------------------------------------------------------
    def attach(self, worker: Worker) -> None:
        self.worker = worker
        self.state = "starting"
        self.started_at = time.monotonic()
        worker.send("start", self.config, self.opts)
        if self._pending:
            worker.send("set", self._pending)
        threading.Thread(target=self._read, name=f"job-{self.id}", daemon=True).start()

    def _read(self) -> None:
        worker = self.worker
        try:
            while True:
                kind, *rest = worker.conn.recv()
                if kind == "ready":
                    worker.ready.set()
                elif kind == "info":
                    self.info = rest[0]
                elif kind == "snap":
                    snap = rest[0]
                    if self.first_frame_s is None:
                        self.first_frame_s = time.monotonic() - self.started_at
                        self.last_poll = time.monotonic()  # idle time counts from here
                    with self._lock:
                        self.history.add(snap)
                    if self.state not in ENDED:
                        self.state, self.message = snap.state, snap.message
                elif kind == "model":
                    with self._lock:
                        self._model_replies.append(rest[0])
                    self._model_ready.set()
                elif kind == "error":
                    self.state, self.message = "error", rest[0]
        except (EOFError, OSError):
            pass
        if self.state not in ENDED:
            code = worker.proc.wait()
            self.state = "error"
            self.message = self.message or (
                f"the training process ended unexpectedly (exit code {code}); "
                "press Reset to start again"
            )
        self.runner.release(self)


def _check_mode(mode: str) -> None:
    if mode not in STEP_MODES:
        raise ValueError(f"unknown step mode {mode!r}; one of {', '.join(STEP_MODES)}")


def _check_changes(changes: dict) -> None:
    """ValueError for an unknown key, step mode or layer name (before the worker sees it)."""
    unknown = set(changes) - set(SETTABLE)
    if unknown:
        raise ValueError(f"cannot set {sorted(unknown)[0]!r}; one of {', '.join(SETTABLE)}")
    if "mode" in changes:
        _check_mode(changes["mode"])
    if changes.get("layers"):
        from gan_core.probes import check_layers  # (imports torch: only when asked)

        check_layers(changes["layers"])


class Runner:
    def __init__(self, max_runs: int = MAX_RUNS, warm: bool = True, fps: float = 5.0):
        self.max_runs = max(int(max_runs), 1)
        self.warm = warm
        self.fps = fps
        self.active: list[JobHandle] = []
        self.queue: deque[JobHandle] = deque()
        self.spare: Worker | None = None
        self._lock = threading.RLock()
        self._closed = False
        if warm:
            self._refill()
        threading.Thread(target=self._reap_loop, name="reaper", daemon=True).start()

    # --- public ----------------------------------------------------------------------
    def submit(self, config: RunConfig, paused: bool = False, alive=None, **opts) -> JobHandle:
        """Queue a run. ``opts`` go to the worker (worker.py): layers, view_code, view_cont,
        init_state (a model file's bytes: go on from its weights and step), fps, ..."""
        _check_changes({k: v for k, v in opts.items() if k in SETTABLE})
        opts = {
            "fps": self.fps,
            "max_steps": MAX_STEPS,
            "max_seconds": MAX_SECONDS,
            "paused": paused,
            **opts,
        }
        job = JobHandle(self, config, opts, alive)
        with self._lock:
            self.queue.append(job)
            self._schedule()
        return job

    def submit_group(
        self, configs: list[RunConfig], paused: bool = False, alive=None, **opts
    ) -> list[JobHandle]:
        """Runs that share one slot: queued, started and (unless ``paused``) resumed together."""
        if not 1 <= len(configs) <= MAX_GROUP:
            raise ValueError(f"a group has 1 to {MAX_GROUP} runs, not {len(configs)}")
        _check_changes({k: v for k, v in opts.items() if k in SETTABLE})
        opts = {"fps": self.fps, "max_steps": MAX_STEPS, "max_seconds": MAX_SECONDS, **opts}
        opts["paused"] = True
        jobs: list[JobHandle] = []
        for config in configs:
            slot = jobs[0].id if jobs else None
            jobs.append(JobHandle(self, config, dict(opts), alive, slot))
        for job in jobs:
            job.held = not paused
        with self._lock:
            self.queue.extend(jobs)
            self._schedule()
        if not paused:
            threading.Thread(target=self._start_together, args=(jobs,), daemon=True).start()
        return jobs

    def queue_position(self, job: JobHandle) -> int | None:
        """1 for the next slot to start; a group's members share their position."""
        with self._lock:
            if job not in self.queue:
                return None
            return list(dict.fromkeys(j.slot for j in self.queue)).index(job.slot) + 1

    def stop(self, job: JobHandle) -> None:
        with self._lock:
            if job in self.queue:
                self.queue.remove(job)
            job.state = "stopped"
            worker = job.worker
        if worker is not None:
            worker.send("stop")
            threading.Thread(target=worker.kill, daemon=True).start()
        self.release(job)

    def release(self, job: JobHandle) -> None:
        with self._lock:
            if job in self.active:
                self.active.remove(job)
            self._schedule()

    def worker_pids(self) -> list[int]:
        with self._lock:
            pids = [j.worker.pid for j in self.active if j.worker]
            if self.spare:
                pids.append(self.spare.pid)
            return pids

    def shutdown(self) -> None:
        with self._lock:
            self._closed = True
            jobs = list(self.active) + list(self.queue)
        for job in jobs:
            self.stop(job)
        if self.spare:
            self.spare.kill()
            self.spare = None

    # --- internals -------------------------------------------------------------------
    def _schedule(self) -> None:
        while not self._closed and self.queue and self._slots_used() < self.max_runs:
            slot = self.queue[0].slot
            for job in [j for j in self.queue if j.slot == slot]:
                self.queue.remove(job)
                self._launch(job)

    def _slots_used(self) -> int:
        return len({j.slot for j in self.active})

    def _launch(self, job: JobHandle) -> None:
        self.active.append(job)
        worker, self.spare = (self.spare, None) if self.spare else (Worker(), None)
        if not worker.ready.is_set():
            worker.promote()
        job.attach(worker)
        if self.warm:
            # refill once the new run has had its first frame, not before
            threading.Thread(target=self._refill_after, args=(job,), daemon=True).start()

    def _start_together(self, jobs: list[JobHandle]) -> None:
        """Resume a group's members once all have their first frame (or have ended)."""
        while not self._closed and any(
            j.first_frame_s is None and j.state not in ENDED for j in jobs
        ):
            time.sleep(0.05)
        for job in jobs:
            if job.held:
                job.held = False
                job.resume()

    def _refill_after(self, job: JobHandle, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while job.first_frame_s is None and job.state not in ENDED:
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self._refill()

    def _refill(self) -> None:
        with self._lock:
            if self._closed or self.spare is not None:
                return
            self.spare = Worker(spare=True)

    def _reap_loop(self) -> None:
        while not self._closed:
            time.sleep(1.0)
            self.reap()

    def reap(self) -> None:
        """Pause runs nobody looks at, end those left for longer."""
        now = time.monotonic()
        with self._lock:
            jobs = list(self.active) + list(self.queue)
        for job in jobs:
            if job.alive is not None and not job.alive():
                job.gone_since = job.gone_since or now
                if now - job.gone_since > GONE_GRACE_S:
                    job.message = "ended: its page was closed"
                    self.stop(job)
                    continue
            else:
                job.gone_since = None
            idle = now - job.last_poll
            if idle > IDLE_STOP_S:
                job.message = f"ended: nobody watched it for {IDLE_STOP_S:g} s"
                self.stop(job)
            elif idle > IDLE_PAUSE_S and job.state == "running":
                job.idle_paused = True
                job.pause()
