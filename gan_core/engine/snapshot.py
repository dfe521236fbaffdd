"""What a worker sends the page: small, immutable pictures of a run at one moment.

``RunInfo`` is sent once per run (what never changes: the real points, the window, the
mode centres); a ``Snapshot`` several times a second (generated points, losses, metrics).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from gan_core.engine import coverage
from gan_core.engine import targets as T
from gan_core.engine.config import RunConfig
from gan_core.engine.evaluation import Evaluator, count_modes, data_hq
from gan_core.engine.metrics import narrower_than_data
from gan_core.engine.trainer import Trainer

VIEW_POINTS = 500
"""Generated points drawn per frame: enough to see the shape, few enough for 5 fps."""
REAL_POINTS = 600
D_POINTS = 256
"""Training points D is asked about for the diagram's mean D(x): a fixed set."""
GRID = 10
"""Digits: a frame is a GRID × GRID sheet of generated images (25 kB, not 500 × 64
values): rows by label or code, columns along z (the same z down a column)."""


@dataclass(frozen=True)
class RunInfo:
    config: RunConfig
    real: np.ndarray  # (n, 2) float32, drawn grey
    real_labels: np.ndarray  # (n,)
    extent: float  # the view window is [-extent, extent]²
    centres: np.ndarray | None  # (K, 2) mode centres, for targets with known modes
    mode_std: float | None
    n_classes: int
    n_codes: int
    modes_total: int | None = None
    """How many modes the coverage figures count: the mixtures' centres, a labelled custom
    set's classes, the ten digits; None when the target has no modes."""
    image: tuple[int, int] | None = None
    """(rows, columns) of one sample drawn as a picture (digits); None: points on the plane."""
    data_hq: float | None = None
    """The target's own hq (evaluation.data_hq): what its own samples score; a run above
    it by more than noise (metrics.narrower_than_data) has modes narrower than the data's."""
    data_hq_n: int = 0
    """The samples ``data_hq`` was measured on (0: exact)."""

    def narrower(self, hq: float | None) -> bool:
        """Whether ``hq`` is above the data's own by more than sampling noise."""
        if hq is None or self.data_hq is None:
            return False
        return narrower_than_data(hq, self.data_hq, n_data=self.data_hq_n)


@dataclass(frozen=True)
class Snapshot:
    step: int
    elapsed: float  # seconds of training so far
    steps_per_s: float  # over the last interval
    fake: np.ndarray  # (VIEW_POINTS, 2) float32
    codes: np.ndarray  # (VIEW_POINTS,) class (cgan) or code (infogan); zeros for gan
    losses: dict[str, float]
    metrics: dict = field(default_factory=dict)
    state: str = "running"  # running · paused · diverged · done · error
    message: str = ""
    wall: float = 0.0  # time.time() when it was made
    layers: dict = field(default_factory=dict)
    """Probe layers the run asked for (see probes.py): name → small numpy array."""
    view_code: int | None = None
    """The class (cGAN) or code (InfoGAN) all of ``fake`` come from; None: all of them."""
    view_cont: float | None = None
    """InfoGAN: the value of the first continuous code in ``fake`` (None: drawn)."""
    image: str | None = None
    """The cloud as a PNG data URI (raster.cloud), drawn by the training process; a
    history keeps it for its newest snapshot only (older frames are redrawn if shown)."""
    d_real: float | None = None
    """Mean D(x) over D_POINTS training points (``loss.to_view``: a probability, or the
    critic's score), for the diagram (diagram.py)."""
    d_fake: float | None = None
    """Mean D(G(z)) over the view's generated points (the same scale)."""
    trained: str = ""
    """What the run's last step trained: "both", "d", "g" (handle.STEP_MODES), "" before
    its first step. The diagram lights that network."""
    measured: bool = True
    """Whether ``metrics`` were measured for this snapshot; False: the last ones, repeated
    between evaluations (a history records the curves at the measured steps only)."""


def preview_info(cfg: RunConfig) -> RunInfo:
    """What the page shows before Train: the target's points, window and modes."""
    from gan_core.engine.trainer import make_dataset

    target = T.TARGETS[cfg.target]
    x, y = make_dataset(cfg)
    modes = target.modes(**cfg.params)
    own, own_n = None, 0
    if modes is not None or cfg.target == "custom":
        labelled = cfg.target == "custom" and count_modes(cfg, y)
        own, own_n = data_hq(modes, coverage.class_modes(x, y) if labelled else None, x)
    return RunInfo(
        config=cfg,
        real=np.asarray(x[:REAL_POINTS], dtype=np.float32),
        real_labels=np.asarray(y[:REAL_POINTS]),
        extent=float(target.extent(**cfg.params)),
        centres=None if modes is None else modes.centres,
        mode_std=None if modes is None else modes.std,
        n_classes=cfg.n_classes,
        n_codes=cfg.n_codes if cfg.gan in ("infogan", "selfcond") else cfg.n_classes,
        modes_total=count_modes(cfg, y),
        image=target.image,
        data_hq=own,
        data_hq_n=own_n,
    )


def run_info(trainer: Trainer, evaluator: Evaluator) -> RunInfo:
    cfg = trainer.cfg
    n = min(REAL_POINTS, len(trainer.data_x))
    return RunInfo(
        config=cfg,
        real=trainer.data_x[:n].numpy().astype(np.float32),
        real_labels=trainer.data_y[:n].numpy(),
        extent=float(evaluator.extent),
        centres=None if evaluator.modes is None else evaluator.modes.centres,
        mode_std=None if evaluator.modes is None else evaluator.modes.std,
        n_classes=cfg.n_classes,
        n_codes=cfg.n_codes if cfg.gan in ("infogan", "selfcond") else cfg.n_classes,
        modes_total=evaluator.modes_total,
        image=T.TARGETS[cfg.target].image,
        data_hq=evaluator.data_hq,
        data_hq_n=evaluator.data_hq_n,
    )


def sheet_rows(gan: str, n_codes: int, view_code: int | None) -> np.ndarray | None:
    """The label or code of each row of a digits sheet (None: a plain GAN's rows)."""
    if gan == "gan":
        return None
    if view_code is not None:
        return np.full(GRID, view_code)
    return np.arange(GRID) % max(n_codes, 1)


@torch.no_grad()
def sheet(trainer: Trainer, gen: torch.Generator, view_code=None, view_cont=None):
    """A GRID × GRID sheet of generated images, row by row, and each one's label or code.

    Rows: the classes (cGAN) or categorical codes (InfoGAN), or the one asked for;
    columns: the same z down a column, so a row shows what the label or code changes and
    a column what z changes. InfoGAN with continuous codes: columns sweep the first one
    from -1 to 1 instead (a code traversal), unless ``view_cont`` pins it.
    """
    m, n = trainer.model, GRID * GRID
    cfg = trainer.cfg
    rows = sheet_rows(
        cfg.gan, cfg.n_codes if cfg.gan in ("infogan", "selfcond") else cfg.n_classes, view_code
    )
    if rows is None:
        out = trainer.g_eval(m.noise(n, gen)).numpy()
        return out, np.zeros(n, dtype=np.int64)
    code = torch.as_tensor(np.repeat(rows, GRID), dtype=torch.long)
    lat = m.latent(n, gen, code)
    sweep = lat.cont is not None and view_cont is None
    if sweep:  # z fixed along a row, the first continuous code along the columns
        noise = m.noise(GRID, gen).repeat_interleave(GRID, 0)
        lat.cont.zero_()
        lat.cont[:, 0] = torch.linspace(-1, 1, GRID).repeat(GRID)
    else:
        noise = m.noise(GRID, gen).repeat(GRID, 1)
        if lat.cont is not None:
            lat.cont[:, 0] = float(view_cont)
    out = trainer.g_eval(m.g_input(noise, lat.code, lat.cont)).numpy()
    return out, code.numpy()


@torch.no_grad()
def d_means(trainer: Trainer, fake: np.ndarray, codes: np.ndarray) -> tuple[float, float]:
    """Mean D(x) on D_POINTS training points and mean D(G(z)) on ``fake``, each point
    with its own label for a cGAN (``loss.to_view``: what the heatmap shows)."""
    m = trainer.model

    def mean(x: torch.Tensor, labels: torch.Tensor) -> float:
        cond = None
        if m.n_cond:
            cond = torch.nn.functional.one_hot(labels.long() % m.n_cond, m.n_cond).float()
        return float(m.loss.to_view(m.D(m.d_in(x, cond))).mean())

    real = mean(trainer.data_x[:D_POINTS], trainer.data_y[:D_POINTS])
    return real, mean(torch.as_tensor(fake, dtype=torch.float32), torch.as_tensor(codes))


def take(
    trainer: Trainer,
    evaluator: Evaluator | None,
    elapsed: float,
    steps_per_s: float,
    state: str = "running",
    message: str = "",
    view_seed: int = 0,
    metrics: dict | None = None,
    layers: tuple[str, ...] = (),
    view_code: int | None = None,
    view_cont: float | None = None,
    trained: str = "",
    means: tuple[float | None, float | None] | None = None,
) -> Snapshot:
    """Sample the generator with fixed latents (so motion is the model's, not noise).

    ``metrics`` reuses an earlier evaluation (the worker evaluates about once a second),
    ``means`` an earlier (d_real, d_fake): the diagram shows them once a second.
    ``layers`` are the probes to compute (probes.LAYERS); ``view_code`` draws every view
    point from one class or code, ``view_cont`` sets InfoGAN's first continuous code.
    """
    import time

    from gan_core.engine import probes

    view_code = probes.view_code_ok(trainer.cfg, view_code)
    if view_cont is not None and not trainer.cfg.cont_codes:
        view_cont = None
    gen = torch.Generator().manual_seed(view_seed)
    if T.TARGETS[trainer.cfg.target].image is not None:
        fake, codes = sheet(trainer, gen, view_code, view_cont)
        layers = ()  # the layers draw on the plane (probes.check_layers says why)
    else:
        labels = None if view_code is None else np.full(VIEW_POINTS, view_code)
        fake, codes = trainer.sample(VIEW_POINTS, gen, labels, view_cont)
    probed = {}
    if layers:
        probed = probes.compute(
            trainer,
            layers,
            fake,
            codes,
            view_code=view_code,
            view_cont=view_cont,
            seed=view_seed + 1,
        )
    finite = bool(np.isfinite(fake).all())
    measured = metrics is None
    if measured:
        metrics = {}
        if evaluator is not None and finite:
            metrics = evaluator()
    if means is None:
        means = d_means(trainer, fake, codes) if finite else (None, None)
    d_real, d_fake = means
    return Snapshot(
        step=trainer.step_count,
        elapsed=elapsed,
        steps_per_s=steps_per_s,
        fake=fake.astype(np.float32),
        codes=codes.astype(np.int16),
        losses=trainer.losses(),
        metrics=metrics,
        state=state,
        message=message,
        wall=time.time(),
        layers=probed,
        view_code=view_code,
        view_cont=None if view_cont is None else float(view_cont),
        d_real=d_real,
        d_fake=d_fake,
        trained=trained,
        measured=measured,
    )


def target_title(name: str) -> str:
    return T.TARGETS[name].title
