"""RunConfig: every setting of one run, validated, and its flat string form.

The settings, their ranges and their widgets are ``SPECS`` (gan_core/engine/specs.py).
The flat dict of strings is what the URL query, the CLI flags and exports use; the names
are the vocabulary of docs/architecture.md.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gan_core.engine import targets as T
from gan_core.engine.specs import GAN_TYPES, LOSSES, SPECS, Spec

__all__ = ["GAN_TYPES", "LOSSES", "SPECS", "ConfigError", "RunConfig", "all_target_param_names"]


class ConfigError(ValueError):
    """A setting out of range; the message names the field and what it allows."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


@dataclass(frozen=True)
class RunConfig:
    target: str = "moons"
    gan: str = "gan"
    loss: str = "nonsaturating"
    z_dim: int = 32
    z_dist: str = "gaussian"
    g_depth: int = 1
    g_width: int = 128
    d_depth: int = 1
    d_width: int = 128
    activation: str = "leakyrelu"
    optimizer: str = "adam"
    lr_g: float = 1e-3
    lr_d: float = 1e-3
    beta1: float = 0.5
    beta2: float = 0.999
    batch: int = 50
    d_steps: int = 0
    gp_weight: float = 10.0
    info_weight: float = 1.0
    codes: int = 0
    cont_codes: int = 0
    ema: float = 0.0
    n_points: int = 10_000
    pack: int = 1
    mbstd: str = "off"
    spectral_norm: str = "off"
    unroll: int = 0
    arch: str = "mlp"
    g_channels: int = 32
    d_channels: int = 32
    strided: str = "on"
    batchnorm: str = "on"
    fc_hidden: str = "off"
    tanh_out: str = "on"
    leaky_d: str = "on"
    seed: int = 0
    target_params: tuple[tuple[str, float], ...] = ()
    """Only the parameters of ``target``; missing ones take the target's defaults."""
    custom: tuple[np.ndarray, np.ndarray] | None = field(default=None, compare=False, repr=False)
    """(points, labels) of the ``custom`` target; not part of the flat dict."""

    def __post_init__(self):
        for name, spec in SPECS.items():
            value = getattr(self, name)
            object.__setattr__(self, name, _check(name, spec, value))
        if self.arch == "dcgan" and T.TARGETS[self.target].image is None:
            raise ConfigError(
                "arch", "dcgan needs an image target (digits); points on the plane train mlp"
            )
        params = _check_target_params(self.target, dict(self.target_params))
        object.__setattr__(self, "target_params", tuple(sorted(params.items())))
        if self.target == "custom":
            if self.custom is None:
                raise ConfigError("target", "custom needs points (upload or draw some)")
            try:
                object.__setattr__(self, "custom", T.check_custom(*self.custom))
            except T.DataError as exc:
                raise ConfigError("custom", str(exc)) from None

    # --- derived ---------------------------------------------------------------------

    @property
    def params(self) -> dict[str, Any]:
        """Keyword arguments for the target's functions."""
        if self.target == "custom":
            return {"points": self.custom[0], "labels": self.custom[1]}
        return dict(self.target_params)

    @property
    def n_classes(self) -> int:
        return T.TARGETS[self.target].n_classes(**self.params)

    @property
    def n_codes(self) -> int:
        return self.codes or self.n_classes

    @property
    def trains_alone(self) -> bool:
        """A convolutional run stacks with no other: it trains in a cohort of its own
        (solo.py), and the runner places it by such runs."""
        return self.arch != "mlp"

    @property
    def effective_d_steps(self) -> int:
        from gan_core.engine.losses import LOSS_REGISTRY

        return self.d_steps or LOSS_REGISTRY[self.loss].default_d_steps

    def replace(self, **changes) -> RunConfig:
        """A copy with changes; target parameters may be given by name too."""
        tp = dict(self.target_params)
        for key in list(changes):
            if key not in SPECS and key not in ("target_params", "custom"):
                tp[key] = changes.pop(key)
        if "target" in changes and changes["target"] != self.target:
            tp = {k: v for k, v in tp.items() if k in T.TARGETS[changes["target"]].params}
        changes.setdefault("target_params", tuple(tp.items()))
        return dataclasses.replace(self, **changes)

    # --- flat string form ------------------------------------------------------------

    def to_flat(self) -> dict[str, str]:
        out = {name: _fmt(getattr(self, name)) for name in SPECS}
        out.update({k: _fmt(v) for k, v in self.target_params})
        return out

    @classmethod
    def from_flat(cls, flat: dict[str, str], custom=None) -> RunConfig:
        """Build from strings; unknown keys and bad values raise ConfigError."""
        values: dict[str, Any] = {}
        tparams: dict[str, float] = {}
        target = flat.get("target", cls.target)
        if target not in T.TARGETS:
            raise ConfigError("target", f"unknown {target!r}; one of {', '.join(T.TARGETS)}")
        known_tp = T.TARGETS[target].params
        for key, raw in flat.items():
            if key in SPECS:
                values[key] = _parse(key, SPECS[key].kind, raw)
            elif key in known_tp:
                tparams[key] = _parse(key, float, raw)
            else:
                own = ", ".join(known_tp) or "none"
                raise ConfigError(key, f"unknown setting (target {target!r} has: {own})")
        return cls(**values, target_params=tuple(tparams.items()), custom=custom)


def all_target_param_names() -> set[str]:
    return {p for t in T.TARGETS.values() for p in t.params}


def _fmt(value) -> str:
    if isinstance(value, float):
        return repr(float(value)) if value != int(value) or abs(value) >= 1e6 else f"{value:g}"
    return str(value)


def _parse(name: str, kind: type, raw) -> Any:
    if kind is str:
        return str(raw).strip()
    text = str(raw).strip()
    try:
        if kind is int:
            number = float(text)
            if number != int(number):
                raise ValueError
            return int(number)
        return float(text)
    except (ValueError, OverflowError):
        what = "an integer" if kind is int else "a number"
        raise ConfigError(name, f"{raw!r} is not {what}") from None


def _check(name: str, spec: Spec, value):
    if spec.choices is not None:
        if value not in spec.choices:
            raise ConfigError(name, f"unknown {value!r}; one of {', '.join(spec.choices)}")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ConfigError(name, f"{value!r} is not a number")
    if spec.kind is int:
        if not math.isfinite(float(value)) or float(value) != int(value):
            raise ConfigError(name, f"{value!r} is not an integer")
        value = int(value)
    else:
        value = float(value)
        if not math.isfinite(value):
            raise ConfigError(name, f"{value!r} is not a finite number")
    if not spec.lo <= value <= spec.hi:
        raise ConfigError(name, f"{value:g} is out of range [{spec.lo:g}, {spec.hi:g}]")
    return value


def _check_target_params(target: str, given: dict[str, Any]) -> dict[str, float]:
    specs = T.TARGETS[target].params
    out = {}
    for key in given:
        if key not in specs:
            raise ConfigError(key, f"not a parameter of target {target!r}")
    for key, p in specs.items():
        value = given.get(key, p.default)
        kind = int if p.integer else float
        out[key] = _check(key, Spec(kind, p.lo, p.hi), value)
    return out
