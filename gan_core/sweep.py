"""Sweep: a grid of runs over two settings, the map of where GAN training works.

An *axis* is one setting (any field of RunConfig but target and seed, or ``lr``,
``width``, ``depth`` for both networks at once) and its values; a sweep crosses two axes
over a base configuration, with ``seeds`` runs per cell (the base seed, +1, …), each
trained ``steps`` steps. A cell's value is the median of its seeds' metric. The same
definitions serve the CLI (``python -m gan_core sweep``), the Sweep page and the sweep
presets, whose captions' claims are measured over seeds as the other presets' are.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from gan_core.engine.config import SPECS, ConfigError, RunConfig, _fmt

MAX_VALUES = 8
"""Values per axis at most: an 8 × 8 map still reads on a projector."""
MAX_SEEDS = 5
MAX_STEPS = 100_000
ALIASES: dict[str, tuple[str, ...]] = {
    "lr": ("lr_g", "lr_d"),
    "width": ("g_width", "d_width"),
    "depth": ("g_depth", "d_depth"),
}
"""Axis names that set a setting of both networks at once."""
NOT_AXES = ("target", "seed")
"""Not axes: the target is the map's subject (its metrics differ), seeds are per cell."""
AXIS_NAMES = (*ALIASES, *(name for name in SPECS if name not in NOT_AXES))


class SweepError(ValueError):
    """A sweep that cannot start; the message says which axis or value and why."""


@dataclass(frozen=True)
class Metric:
    label: str
    higher_is_better: bool
    fmt: str = ".2f"


METRICS: dict[str, Metric] = {
    "modes": Metric("modes covered", True, ".0f"),
    "hq": Metric("high-quality share", True),
    "effective_modes": Metric("effective modes", True, ".1f"),
    "rkl": Metric("reverse KL to the target's weights", False),
    "js": Metric("JS divergence to the target", False, ".3f"),
    "precision": Metric("k-NN precision", True),
    "recall": Metric("k-NN recall", True),
    "density": Metric("k-NN density", True),
    "coverage": Metric("k-NN coverage", True),
    "purity": Metric("label/code → digit purity", True),
}
"""What a map can be coloured by: the fields of ``train --json`` that measure a run."""


@dataclass(frozen=True)
class Axis:
    name: str
    values: tuple

    @property
    def fields(self) -> tuple[str, ...]:
        return ALIASES.get(self.name, (self.name,))

    @property
    def numeric(self) -> bool:
        return SPECS[self.fields[0]].choices is None

    @property
    def log(self) -> bool:
        """Learning rates and other positive spans over 10× read best on a log scale."""
        vals = self.values
        return self.numeric and min(vals) > 0 and max(vals) / min(vals) >= 10

    def apply(self, cfg: RunConfig, value) -> RunConfig:
        return cfg.replace(**{f: value for f in self.fields})

    def label(self, value) -> str:
        return _fmt(value)


def log_values(lo: float, hi: float, n: int) -> list[float]:
    """``n`` log-spaced values from lo to hi, rounded to 2 significant digits (1e-4, 2.5e-4, …)."""
    if not (lo > 0 and hi > 0 and math.isfinite(lo) and math.isfinite(hi)):
        raise SweepError("log-spaced values need positive, finite ends")
    if not 2 <= n <= MAX_VALUES:
        raise SweepError(f"log-spaced values: 2 to {MAX_VALUES} of them, not {n}")
    return [float(f"{v:.2g}") for v in np.geomspace(lo, hi, n)]


def make_axis(which: str, name: str, raw: list, base: RunConfig) -> Axis:
    """An axis from a setting name and values (strings or numbers), each checked as the
    URL's and the sidebar's are (``which``: "x" or "y", for the messages)."""
    name = name.strip()
    if name in NOT_AXES:
        why = "seeds per cell are their own setting" if name == "seed" else "pick it in the sidebar"
        raise SweepError(f"{which} axis: {name!r} cannot be an axis ({why})")
    if name not in AXIS_NAMES:
        raise SweepError(f"{which} axis: unknown setting {name!r}; one of {', '.join(AXIS_NAMES)}")
    raw = [v for v in raw if str(v).strip() != ""]
    if not raw:
        raise SweepError(f"{which} axis ({name}): no values")
    if len(raw) > MAX_VALUES:
        raise SweepError(f"{which} axis ({name}): {len(raw)} values, at most {MAX_VALUES}")
    fields = ALIASES.get(name, (name,))
    values = []
    for v in raw:
        try:
            cfg = RunConfig.from_flat({**base.to_flat(), **{f: str(v) for f in fields}})
        except ConfigError as exc:
            raise SweepError(f"{which} axis: {exc}") from None
        value = getattr(cfg, fields[0])
        if value in values:
            raise SweepError(f"{which} axis ({name}): {_fmt(value)} is given twice")
        values.append(value)
    return Axis(name, tuple(values))


def parse_axis(which: str, text: str, base: RunConfig) -> Axis:
    """``lr_d=1e-4,3e-4,1e-3`` or ``lr_d=log:1e-4:1e-2:5`` (5 log-spaced values)."""
    name, sep, rest = text.partition("=")
    if not sep:
        raise SweepError(f"{which} axis: write SETTING=VALUE,VALUE,… (e.g. lr_d=1e-4,1e-3)")
    rest = rest.strip()
    if rest.startswith("log:"):
        try:
            lo, hi, n = rest[4:].split(":")
            lo, hi, n = float(lo), float(hi), int(n)
        except ValueError:
            raise SweepError(f"{which} axis: write log:LOW:HIGH:N, e.g. log:1e-4:1e-2:5") from None
        try:
            values: list = log_values(lo, hi, n)
        except SweepError as exc:
            raise SweepError(f"{which} axis ({name.strip()}): {exc}") from None
    else:
        values = rest.split(",")
    return make_axis(which, name, values, base)


@dataclass(frozen=True)
class Run:
    """One run of a sweep: its cell (column i along x, row j along y) and its seed."""

    i: int
    j: int
    seed: int
    config: RunConfig


@dataclass(frozen=True)
class Sweep:
    base: RunConfig
    x: Axis
    y: Axis
    seeds: int = 1
    steps: int = 5000
    metric: str = "modes"

    def __post_init__(self):
        shared = set(self.x.fields) & set(self.y.fields)
        if shared:
            raise SweepError(
                f"the x and y axes both set {sorted(shared)[0]}: pick two different settings"
            )
        if not 1 <= self.seeds <= MAX_SEEDS:
            raise SweepError(f"seeds per cell: 1 to {MAX_SEEDS}, not {self.seeds}")
        if not 1 <= self.steps <= MAX_STEPS:
            raise SweepError(f"steps: 1 to {MAX_STEPS:,}, not {self.steps}")
        if self.metric not in METRICS:
            raise SweepError(f"unknown metric {self.metric!r}; one of {', '.join(METRICS)}")
        if self.base.seed + self.seeds - 1 > SPECS["seed"].hi:
            raise SweepError("the base seed is too large for that many seeds")

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns) = (y values, x values)."""
        return len(self.y.values), len(self.x.values)

    def runs(self) -> list[Run]:
        """Every run, row by row, the seeds of a cell together."""
        out = []
        for j, yv in enumerate(self.y.values):
            for i, xv in enumerate(self.x.values):
                cell = self.y.apply(self.x.apply(self.base, xv), yv)
                for k in range(self.seeds):
                    seed = self.base.seed + k
                    out.append(Run(i, j, seed, cell.replace(seed=seed)))
        return out

    def row(self, run: Run, result: dict) -> dict:
        """A run's row of the table: the two axis values, its seed, its result."""
        return {
            self.x.name: self.x.values[run.i],
            self.y.name: self.y.values[run.j],
            "seed": run.seed,
            **result,
        }


@dataclass
class Cell:
    """A cell of the map so far: the median of its seeds' values, how many have one."""

    value: float | None = None
    done: int = 0
    diverged: int = 0
    values: list[float] = field(default_factory=list)


def cells(sweep: Sweep, results: dict[Run, dict | None], metric: str | None = None):
    """rows × columns of Cell, from the runs' results so far (None: no figure yet; a
    result with ``error`` counts as diverged)."""
    metric = metric or sweep.metric
    rows, cols = sweep.shape
    grid = [[Cell() for _ in range(cols)] for _ in range(rows)]
    for run, result in results.items():
        if result is None:
            continue
        c = grid[run.j][run.i]
        if "error" in result:
            c.diverged += 1
            continue
        value = result.get(metric)
        if value is not None and math.isfinite(value):
            c.values.append(float(value))
        c.done += 1
    for line in grid:
        for c in line:
            c.value = statistics.median(c.values) if c.values else None
    return grid


def value_range(metric: str, values: list[float], modes_total: int | None) -> tuple[float, float]:
    """The span a map's colours cover: the metric's own (0 to K modes, 0 to 1 for
    shares, 0 to ln 2 for js) where it has one, else 0 to the largest value seen."""
    seen = max(values, default=1.0)
    if metric in ("modes", "effective_modes") and modes_total:
        return 0.0, float(modes_total)
    if metric in ("hq", "precision", "recall", "coverage", "purity"):
        return 0.0, 1.0
    if metric == "js":
        return 0.0, math.log(2)
    return 0.0, max(seen, 1e-9)


def goodness(metric: str, value: float, span: tuple[float, float]) -> float:
    """0 (fails) … 1 (works) for a value in ``span``: the map's colour, whichever way
    the metric points."""
    lo, hi = span
    t = min(max((value - lo) / (hi - lo), 0.0), 1.0) if hi > lo else 0.5
    return t if METRICS[metric].higher_is_better else 1.0 - t


# --- presets --------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepPreset:
    """A map with a caption whose claim is measured over seeds (``bench/sweeps.py``)."""

    name: str
    title: str
    caption: str
    sweep: Sweep
    claim: str
    holds: Callable[[list[list[Cell]]], bool] = field(compare=False)
    """The claim, tested on one seed's map (a one-seed sweep)."""
    share: float = 0.8


SWEEP_PRESETS: dict[str, SweepPreset] = {}


def register(preset: SweepPreset) -> None:
    SWEEP_PRESETS[preset.name] = preset


def _lr_axis(which: str, name: str) -> Axis:
    return make_axis(which, name, ["1e-4", "3e-4", "1e-3", "3e-3", "1e-2", "3e-2"], RunConfig())


def value_at(sweep: Sweep, grid: list[list[Cell]], x, y) -> float | None:
    """The cell at axis values (x, y) of a map."""
    return grid[sweep.y.values.index(y)][sweep.x.values.index(x)].value


_LR_MAP = Sweep(
    RunConfig(target="ring"),
    _lr_axis("x", "lr_d"),
    _lr_axis("y", "lr_g"),
    seeds=1,
    steps=5000,
    metric="modes",
)
_LR_BAND = ((1e-3, 1e-3), (1e-3, 3e-3), (3e-3, 3e-3))
"""(lr_d, lr_g) where the ring trains: the band of the lr-map preset's claim, which holds
over seeds (docs/measurements.md, Sweep)."""


def _lr_band_holds(grid: list[list[Cell]]) -> bool:
    band = [value_at(_LR_MAP, grid, x, y) for x, y in _LR_BAND]
    rest = [
        c.value
        for j, line in enumerate(grid)
        for i, c in enumerate(line)
        if (_LR_MAP.x.values[i], _LR_MAP.y.values[j]) not in _LR_BAND
    ]
    rest = [v if v is not None else 0.0 for v in rest]  # a diverged cell covers nothing
    return all(v is not None and v >= 7 for v in band) and statistics.median(rest) <= 4


register(
    SweepPreset(
        "lr-map",
        "Learning-rate map (ring)",
        "D's learning rate across, G's down, on the ring of 8 (the non-saturating GAN at "
        "the lecture's sizes), 5,000 steps per cell, coloured by modes covered. Training "
        "works in a narrow band near the diagonal: lr_d 1e-3 with lr_g 1e-3 or 3e-3, and "
        "both at 3e-3, cover 7–8 of the 8 modes. Slower, the runs have not spread over "
        "the ring yet; faster (1e-2 and up) or unbalanced, they cover a few modes. Click a "
        "cell to watch that run.",
        _LR_MAP,
        "the band (lr_d 1e-3 with lr_g 1e-3 or 3e-3; both 3e-3) covers ≥ 7 of 8 modes in "
        "each of its cells, and the other 33 cells' median is ≤ 4",
        _lr_band_holds,
    )
)

_DSTEPS_LOSS = Sweep(
    RunConfig(target="ring", ema=0.99),
    make_axis("x", "d_steps", ["1", "2", "3", "5"], RunConfig()),
    make_axis("y", "loss", ["minimax", "nonsaturating", "lsgan", "hinge", "wgan-gp"], RunConfig()),
    seeds=1,
    steps=5000,
    metric="effective_modes",
)


def _dsteps_holds(grid: list[list[Cell]]) -> bool:
    ns = [value_at(_DSTEPS_LOSS, grid, d, "nonsaturating") for d in (1, 5)]
    wgan = [value_at(_DSTEPS_LOSS, grid, d, "wgan-gp") for d in (1, 5)]
    if None in ns or None in wgan:
        return False
    return ns[0] >= 7 and ns[1] <= 4 and wgan[1] > wgan[0]


register(
    SweepPreset(
        "dsteps-loss",
        "D steps × loss (ring)",
        "D steps per G step across, the loss down, on the ring (G's weights averaged, EMA "
        "0.99), 5,000 steps per cell, coloured by effective modes (8: every mode equally "
        "often). A stronger D makes the non-saturating, hinge and LSGAN losses collapse: "
        "from about 8 effective modes at 1 D step to 2–3 at 5. WGAN-GP is the other way "
        "round: its critic must be trained near its optimum, and it covers the ring only "
        "with 2 or more D steps (about 5 at 1). The saturating minimax loss stays near 7 "
        "here.",
        _DSTEPS_LOSS,
        "the non-saturating GAN goes from ≥ 7 effective modes at 1 D step to collapsed "
        "(≤ 4) at 5, and WGAN-GP covers more at 5 D steps than at 1",
        _dsteps_holds,
    )
)
