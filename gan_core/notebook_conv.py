"""DCGAN's G and D in an exported notebook (``arch`` dcgan), written out for the config.

The same networks as the engine's (conv.py): G projects its input to G_CH maps of 2×2
and doubles the side up to the 8×8 image, D halves it down to D_CH·2 maps of 2×2 whose
flattened features feed its head (and InfoGAN's Q). The cell holds only the layers the
config's rules give (strided or pooled, with or without batchnorm, a fully connected
hidden layer, Tanh, LeakyReLU), never a branch on a rule. pack, mbstd and
spectral_norm: notebook_mitigations.py, as for the MLP.
"""

from __future__ import annotations

from gan_core import notebook_mitigations as M
from gan_core.engine.config import RunConfig
from gan_core.engine.conv import FC_WIDTH, SIDE, START

STEPS = (SIDE // START).bit_length() - 1
"""Doublings of the side from START to SIDE (conv.py)."""
FEATURES = 2 ** (STEPS - 1) * START * START
"""D's features per row after its convolutions, in multiples of D_CH."""


def _on(value: str) -> bool:
    return value == "on"


def _side(i: int) -> str:
    return f"{START * 2**i}×{START * 2**i}"


def _g_channels(i: int) -> str:
    """G's channels before its i-th doubling (the image's one after the last)."""
    return "1" if i == STEPS else "G_CH" if i == 0 else f"G_CH // {2**i}"


def _d_channels(i: int) -> str:
    """D's channels after its i-th halving."""
    return "D_CH" if i == 0 else f"D_CH * {2**i}"


def generator(cfg: RunConfig, n_in: str) -> list[str]:
    """The lines of G's nn.Sequential for G's input of ``n_in`` values."""
    bn = _on(cfg.batchnorm)
    lines = []
    if _on(cfg.fc_hidden):
        hidden = f"{FC_WIDTH} * G_CH"
        lines += [f"nn.Linear({n_in}, {hidden}),  # a fully connected hidden layer"]
        lines += [f"nn.BatchNorm1d({hidden}),"] * bn + ["nn.ReLU(),"]
        n_in = hidden
    lines += [
        f"nn.Linear({n_in}, G_CH * {START} * {START}),  # projected to G_CH maps of {_side(0)}",
        f"nn.Unflatten(1, (G_CH, {START}, {START})),",
    ]
    for i in range(STEPS):
        c, out = _g_channels(i), _g_channels(i + 1)
        lines += [f"nn.BatchNorm2d({c}),"] * bn + ["nn.ReLU(),"]
        grow = f"  # {_side(i)} → {_side(i + 1)}"
        if _on(cfg.strided):
            lines.append(f"nn.ConvTranspose2d({c}, {out}, 4, 2, 1),{grow}")
        else:
            lines += [f'nn.Upsample(scale_factor=2, mode="nearest"),{grow}']
            lines.append(f"nn.Conv2d({c}, {out}, 3, 1, 1),")
    if _on(cfg.tanh_out):
        lines.append("nn.Tanh(),  # pixels in [-1, 1], as the data")
    return lines + [f"nn.Flatten(1),  # each image as a row of {SIDE * SIDE} pixels, as the data"]


def _planes_in(cfg: RunConfig) -> str:
    """The planes D's first convolution reads."""
    cond = M.cond(cfg)
    one = f"1 + {cond}" if cond else "1"
    if not M.packs(cfg):
        return one
    return f"PACK * ({one})" if cond else "PACK"


def d_body(cfg: RunConfig) -> tuple[list[str], str]:
    """The lines of D's layers up to its features, and the features' count."""
    bn, norm = _on(cfg.batchnorm), M.sn(cfg)
    act = "nn.LeakyReLU(0.2)," if _on(cfg.leaky_d) else "nn.ReLU(),"
    wrap = (lambda layer: f"spectral_norm({layer})") if norm else (lambda layer: layer)
    lines = []
    c_in = _planes_in(cfg)
    if not M.cond(cfg):
        what = "a pack's PACK images as PACK planes" if M.packs(cfg) else "each row as an image"
        lines.append(f"nn.Unflatten(1, ({c_in}, {SIDE}, {SIDE})),  # {what}")
    for i in range(STEPS):
        c = _d_channels(i)
        shrink = f"  # {_side(STEPS - i)} → {_side(STEPS - i - 1)}"
        if _on(cfg.strided):
            lines.append(f"{wrap(f'nn.Conv2d({c_in}, {c}, 4, 2, 1)')},{shrink}")
        else:
            lines += [f"{wrap(f'nn.Conv2d({c_in}, {c}, 3, 1, 1)')},", f"nn.MaxPool2d(2),{shrink}"]
        lines += [f"nn.BatchNorm2d({c}),"] * (bn and i > 0) + [act]
        c_in = c
    width = f"D_CH * {FEATURES}"
    lines.append(f"nn.Flatten(1),  # {c_in} maps of {_side(0)}: {width} features")
    if _on(cfg.fc_hidden):
        hidden = f"{FC_WIDTH} * D_CH"
        lines.append(f"{wrap(f'nn.Linear({width}, {hidden})')},  # a fully connected hidden layer")
        lines += [f"nn.BatchNorm1d({hidden}),"] * bn + [act]
        width = hidden
    return lines, width


PLANES = '''def planes(x):
    """D's rows [n, DIM + {cond}] as planes [n, 1 + {cond}, 8, 8]: the image, and
    each class of its one-hot label as a constant plane."""
    image = x[:, :DIM].reshape(-1, 1, 8, 8)
    label = x[:, DIM:, None, None].expand(-1, -1, 8, 8)
    return torch.cat([image, label], 1)'''

PLANES_PACKED = '''def planes(x):
    """A pack's rows [n, PACK * (DIM + {cond})] as planes [n, PACK * (1 + {cond}), 8, 8]:
    the PACK images, then each one's one-hot label as constant planes, one per class."""
    x = x.reshape(len(x), PACK, DIM + {cond})
    image = x[..., :DIM].reshape(len(x), PACK, 8, 8)
    label = x[..., DIM:].reshape(len(x), PACK * {cond}, 1, 1).expand(-1, -1, 8, 8)
    return torch.cat([image, label], 1)'''


def discriminator(cfg: RunConfig) -> list[str]:
    """D's cell lines: ``planes`` (a conditioned D's input), D (and Q), ``d_params``."""
    body, width = d_body(cfg)
    cond = M.cond(cfg)
    if not cond:
        return M.discriminator(cfg, body, width)
    text = (PLANES_PACKED if M.packs(cfg) else PLANES).format(cond=cond)
    planes = ["", "", *text.split("\n"), "", ""]
    return [*planes, *M.discriminator(cfg, body, width, "planes(x)")]


def setup(cfg: RunConfig) -> list[str]:
    """The channels, in the setup cell."""
    return [
        f"G_CH = {cfg.g_channels}  # channels of G's first maps, halved at each doubling",
        f"D_CH = {cfg.d_channels}  # channels of D's first convolution, doubled at each halving",
    ]


def _rules(cfg: RunConfig) -> list[str]:
    """Each of the lecture's rules, kept or broken."""
    broken = "**broken**: "
    return [
        "strided convolutions, no pooling: D halves the side with 4×4 convolutions of stride "
        "2, G doubles it with transposed ones"
        if _on(cfg.strided)
        else f"{broken}no strided convolutions: D convolves (3×3) then max-pools, G "
        "upsamples (nearest) then convolves",
        "batchnorm in G (not at its output) and D (not on its input layer)"
        if _on(cfg.batchnorm)
        else f"{broken}no batchnorm",
        "no fully connected hidden layers"
        if not _on(cfg.fc_hidden)
        else f"{broken}a fully connected hidden layer, in G before its projection and in D "
        "before its head",
        "ReLU in G and Tanh at its output"
        if _on(cfg.tanh_out)
        else f"{broken}ReLU in G and no Tanh: G's output is linear",
        "LeakyReLU (slope 0.2) in D" if _on(cfg.leaky_d) else f"{broken}ReLU in D",
    ]


def markdown(cfg: RunConfig) -> str:
    """The networks' paragraph after the GAN type's sentence."""
    rules = "\n".join(f"- {rule}" for rule in _rules(cfg))
    cond = (
        " D reads each image with its one-hot label as one constant plane per class."
        if M.cond(cfg)
        else ""
    )
    modes = (
        "With batchnorm a net's output depends on its batch: G and D train in training mode, "
        "D reads the real and the fake batch in separate calls (each is normalised with "
        "its own statistics), and G draws the samples in eval mode, with batchnorm's "
        "running statistics, as the app does."
        if _on(cfg.batchnorm)
        else "G and D train in training mode and G draws the samples in eval mode, as the app does."
    )
    return (
        "Both are DCGAN's convolutional networks (Radford et al. 2016) on the 8×8 digits: G "
        "projects its input to G_CH maps of 2×2 and doubles the side twice, halving the "
        "channels, up to the one-channel image; D halves the side twice, doubling the "
        f"channels, down to D_CH·2 maps of 2×2, flattened for its head.{cond} The lecture's "
        f"rules, as this run has them:\n\n{rules}\n\n{modes}"
    )
