"""A run's trained model as a file (``ganlab-model-1``), and back to a trainer.

A model file is ``torch.save`` of plain data only: the format tag, the flat config
(strings), G's and D's state dicts, the optimisers' states, the random generator's
state and the step, and for the ``custom`` target its points as tensors (so the file
is all that is needed to continue). It is read back with ``torch.load(weights_only=
True)``, which unpickles tensors and plain containers and nothing else, so an uploaded
file can never run code; then every part is checked against freshly built nets, and
anything wrong is a ModelError whose message is meant for the user.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gan_core.engine.config import ConfigError, RunConfig

if TYPE_CHECKING:  # torch is imported only where a model is saved or loaded
    from gan_core.engine.trainer import Trainer

MODEL_FORMAT = "ganlab-model-1"
MAX_MODEL_BYTES = 64 * 1024 * 1024


class ModelError(ValueError):
    """A model file that cannot be used; the message says why, for the user."""


def model_bytes(trainer: Trainer) -> bytes:
    """The trainer's model, optimisers and step as a ``ganlab-model-1`` file.

    Only this run's numbers: in a cohort its tensors are views of the stacked ones, and
    ``torch.save`` would write the whole stack, so every tensor is copied first.
    """
    import torch

    cfg = trainer.cfg
    if trainer.cohort is not None:
        trainer.cohort.sync()  # the stream positions
    payload = {
        "format": MODEL_FORMAT,
        "config": cfg.to_flat(),
        "step": int(trainer.step_count),
        "g": _own(trainer.model.G.state_dict()),
        "d": _own(trainer.model.D.state_dict()),
        "opt_g": _own(trainer.opt_g.state_dict()),
        "opt_d": _own(trainer.opt_d.state_dict()),
        "rng": trainer.gen.get_state(),
        # each random stream: the generator's state before its current block, and where
        # in the block the run is (streams.Stream), so a loaded run goes on exactly
        "streams": {
            kind: {"state": s.state.clone(), "pos": int(s.pos), "block": int(s.block)}
            for kind, s in trainer.streams.items()
        },
    }
    g_ema = getattr(trainer, "g_ema", None)  # with ``ema`` on: G's moving average
    if g_ema is not None:
        payload["g_ema"] = _own(g_ema.state_dict())
        payload["g_updates"] = int(trainer._g_updates)
    if cfg.gan == "selfcond":  # the self-conditioned GAN's current clusters
        payload["clusters"] = trainer.cond_y.clone()
    if cfg.target == "custom":
        payload["custom_points"] = torch.as_tensor(cfg.custom[0], dtype=torch.float64)
        payload["custom_labels"] = torch.as_tensor(cfg.custom[1], dtype=torch.int64)
    buf = io.BytesIO()
    torch.save(payload, buf)
    return buf.getvalue()


def _own(value):
    """A copy of a (nested) state dict whose tensors own their storage."""
    import torch

    if isinstance(value, torch.Tensor):
        return value.detach().clone()
    if isinstance(value, dict):
        return {k: _own(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_own(v) for v in value]
    return value


@dataclass(frozen=True)
class SavedModel:
    """A checked model file: its config and step, and the raw parts to load."""

    config: RunConfig
    step: int
    payload: dict


def read_model(data: bytes) -> SavedModel:
    """Parse and check a model file without running any code from it."""
    import pickle

    import torch

    if not isinstance(data, (bytes, bytearray)):
        raise ModelError("a model file is bytes")
    if len(data) > MAX_MODEL_BYTES:
        raise ModelError(f"file is larger than {MAX_MODEL_BYTES // (1024 * 1024)} MB")
    try:
        with warnings.catch_warnings():  # (torch warns about the pickle protocol)
            warnings.simplefilter("ignore")
            payload = torch.load(io.BytesIO(bytes(data)), weights_only=True, map_location="cpu")
    except pickle.UnpicklingError:  # garbage, or objects beyond tensors and plain data
        raise ModelError(
            "not a GAN Lab model file: it holds something other than tensors and plain "
            "data (refused; nothing in it was run)"
        ) from None
    except Exception as exc:  # a truncated or foreign file: zip, EOF, ... errors
        raise ModelError(f"not a GAN Lab model file ({type(exc).__name__})") from None
    if not isinstance(payload, dict) or payload.get("format") != MODEL_FORMAT:
        raise ModelError(f"not a GAN Lab model file (expected format {MODEL_FORMAT!r})")
    flat = payload.get("config")
    if not isinstance(flat, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in flat.items()
    ):
        raise ModelError("the file's config is not a table of settings")
    custom = None
    if flat.get("target") == "custom":
        points, labels = payload.get("custom_points"), payload.get("custom_labels")
        if not (isinstance(points, torch.Tensor) and isinstance(labels, torch.Tensor)):
            raise ModelError("a model of the custom target needs its points in the file")
        custom = (points.numpy(), labels.numpy())
    try:
        cfg = RunConfig.from_flat(flat, custom=custom)
    except ConfigError as exc:
        raise ModelError(f"the file's config is not valid: {exc}") from None
    step = payload.get("step")
    if not isinstance(step, int) or isinstance(step, bool) or step < 0:
        raise ModelError("the file's step count is not a non-negative integer")
    return SavedModel(cfg, step, payload)


def load_trainer(data: bytes | SavedModel, config: RunConfig | None = None) -> Trainer:
    """A Trainer with the file's weights, optimiser states and step, ready to go on.

    ``config`` (default: the file's own) may change settings that keep the nets'
    shapes, such as learning rates or the loss; a mismatch is a ModelError.
    """
    import torch

    from gan_core.engine.trainer import Trainer

    saved = data if isinstance(data, SavedModel) else read_model(data)
    cfg = config or saved.config
    trainer = Trainer(cfg)
    payload = saved.payload
    same = cfg.to_flat() == saved.config.to_flat()  # then go on exactly as it would have
    for key, net in (("g", trainer.model.G), ("d", trainer.model.D)):
        _check_state(key.upper(), payload.get(key), net.state_dict())
        net.load_state_dict(payload[key])
    g_ema = getattr(trainer, "g_ema", None)
    if g_ema is not None:  # the file's average, or (saved without one) G itself
        ema = payload.get("g_ema", payload["g"])
        _check_state("G's average", ema, g_ema.state_dict())
        g_ema.load_state_dict(ema)
        updates = payload.get("g_updates", saved.step)
        trainer._g_updates = updates if isinstance(updates, int) and updates >= 0 else 0
    try:
        if cfg.optimizer == saved.config.optimizer and "opt_g" in payload and "opt_d" in payload:
            for opt, params, key in (
                (trainer.opt_g, trainer.g_params, "opt_g"),
                (trainer.opt_d, trainer.d_params, "opt_d"),
            ):
                _load_optimizer(opt, params, payload[key], keep_hyper=same)
        if "rng" in payload:
            trainer.gen.set_state(payload["rng"])
        _load_clusters(trainer, payload.get("clusters"))
        _load_streams(trainer, payload.get("streams"))
    except ModelError:
        raise
    except Exception as exc:
        raise ModelError(f"the file's optimiser state does not fit: {exc}") from None
    trainer.step_count = saved.step
    if not same:  # the new config's rates (and any decay) from this step on
        trainer.set_lr(cfg.lr_g, cfg.lr_d)
    if not all(bool(torch.isfinite(p).all()) for p in trainer.g_params + trainer.d_params):
        raise ModelError("the file's weights are not all finite numbers")
    return trainer


def _load_clusters(trainer: Trainer, saved) -> None:
    """A self-conditioned GAN's clusters as saved (before its streams redraw with them)."""
    import torch

    if trainer.cfg.gan != "selfcond" or saved is None:
        return
    y = trainer.cond_y
    ok = isinstance(saved, torch.Tensor) and saved.shape == y.shape and saved.dtype == y.dtype
    if not ok or (
        len(saved) and not 0 <= int(saved.min()) <= int(saved.max()) < trainer.model.n_cond
    ):
        raise ModelError("the file's clusters do not fit its training set")
    y.copy_(saved)


def _load_streams(trainer: Trainer, saved) -> None:
    """The random streams where the file left them (files without them: from the seed)."""
    import torch

    if not isinstance(saved, dict):
        return
    for kind, stream in trainer.streams.items():
        entry = saved.get(kind)
        if not isinstance(entry, dict) or not isinstance(entry.get("state"), torch.Tensor):
            continue
        pos, block = entry.get("pos"), entry.get("block")
        if block == stream.block and isinstance(pos, int):
            stream.restore(entry["state"], pos)
        else:  # other shapes: the same generator, a fresh block
            stream.gen.set_state(entry["state"])
            stream.refill()


def _load_optimizer(opt, params, state, keep_hyper: bool) -> None:
    """Load the moments and step counts, and the file's hyperparameters if ``keep_hyper``
    (else ``opt``'s own: the new config's)."""
    import torch

    fresh = [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups]
    opt.load_state_dict(state)
    if not keep_hyper:
        for group, hyper in zip(opt.param_groups, fresh, strict=True):
            group.update(hyper)
    for p in params:
        for key, value in opt.state.get(p, {}).items():
            if isinstance(value, torch.Tensor) and value.dim() and value.shape != p.shape:
                raise ModelError(f"the file's optimiser state {key!r} does not fit the nets")


def _check_state(name: str, state, expected: dict) -> None:
    import torch

    if not isinstance(state, dict):
        raise ModelError(f"{name}'s weights are missing from the file")
    if set(state) != set(expected):
        raise ModelError(
            f"{name}'s layers do not match its settings "
            f"(file: {len(state)} tensors, expected {len(expected)})"
        )
    for key, ref in expected.items():
        value = state[key]
        if not isinstance(value, torch.Tensor) or value.shape != ref.shape:
            shape = tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__
            raise ModelError(
                f"{name}'s {key} has shape {shape}, its settings need {tuple(ref.shape)}"
            )
        if value.dtype != ref.dtype:
            raise ModelError(f"{name}'s {key} is {value.dtype}, expected {ref.dtype}")
