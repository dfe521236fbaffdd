"""SPECS: the one table of run settings, each with its kind, range or choices, help and
sidebar widget.

The CLI's flags (gan_core/cli.py), the sidebar (ui/controls.py), the URL query and the
Sweep's axes are all built from it, and RunConfig checks every value against it, so a
range lives only here. A new setting is one entry here (in the order the sidebar shows
it), a RunConfig field with its default, and the engine code that uses it. Plain data:
nothing here draws.
"""

from __future__ import annotations

from dataclasses import dataclass

from gan_core.engine import targets as T

GAN_TYPES = ("gan", "cgan", "infogan", "selfcond")
LOSSES = ("minimax", "nonsaturating", "lsgan", "hinge", "wgan-gp")
ACTIVATIONS = ("relu", "leakyrelu", "tanh")
NOISES = ("gaussian", "uniform")
OPTIMIZERS = ("adam", "sgd")
WIDTHS = (8, 16, 32, 64, 96, 128, 192, 256, 384, 512)
BATCHES = (8, 16, 32, 50, 64, 100, 128, 256, 512, 1024)
LRS = (1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 1e-1)
MORE = "More settings"
"""The sidebar's expander for the settings a first run leaves alone."""
AGAINST_COLLAPSE = "Against mode collapse"
"""The sidebar's expander for the changes to D that fight mode collapse."""
SWITCH = ("off", "on")
ARCHS = ("mlp", "dcgan")
CONV = "Convolutional nets (digits)"
"""The sidebar's expander for ``arch`` and DCGAN's rules (image targets)."""
CHANNELS = (8, 16, 32, 64, 128)


@dataclass(frozen=True)
class Widget:
    """How the sidebar shows a setting: plain data that ui/controls.py draws."""

    label: str
    kind: str
    """``select`` (a drop-down of the choices), ``radio`` (the choices in a row),
    ``slider``, ``number`` (a number box) or ``steps`` (a slider over ``steps``)."""
    section: str = ""
    """The expander it sits in (``MORE``); "" for the top of the sidebar."""
    column: int | None = None
    """0 (G's side) or 1 (D's side): neighbouring settings with a column sit side by side."""
    step: float | None = None
    """A slider's or number box's step; None: Streamlit's (1 for integers)."""
    steps: tuple[float, ...] = ()
    """A ``steps`` slider's usual values; a value in use from a link or a preset joins them."""
    span: tuple[float, float] | None = None
    """A slider's usual range when narrower than the setting's; widened to a value in use."""
    format: str | None = None
    """printf-style format of the value shown (``%.4f``, ``%g``); None: Streamlit's."""


@dataclass(frozen=True)
class Spec:
    """How one setting is checked, what it means, and its sidebar widget (None: none)."""

    kind: type
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] | None = None
    help: str = ""
    widget: Widget | None = None


def _rule(label: str, help: str) -> Spec:
    """One of DCGAN's rules (``arch`` dcgan): on or off, a radio in the CONV expander."""
    return Spec(str, choices=SWITCH, help=help, widget=Widget(label, "radio", section=CONV))


SPECS: dict[str, Spec] = {
    "target": Spec(
        str,
        choices=tuple(T.TARGETS),
        help="2-D target distribution",
        widget=Widget("Target", "select"),
    ),
    "gan": Spec(
        str,
        choices=GAN_TYPES,
        help="GAN type: gan is plain; cgan feeds the class label into G and D; infogan "
        "adds a latent code that D learns to read back; selfcond is a cgan whose labels "
        "are k-means clusters of D's features of the real data (k: codes), every 500 steps",
        widget=Widget("GAN type", "select"),
    ),
    "loss": Spec(
        str,
        choices=LOSSES,
        help="loss variant of G and D",
        widget=Widget("Loss", "select"),
    ),
    "g_depth": Spec(
        int,
        1,
        4,
        help="hidden layers of G (arch mlp; dcgan: its channels)",
        widget=Widget("G depth", "slider", column=0),
    ),
    "d_depth": Spec(
        int,
        1,
        4,
        help="hidden layers of D (arch mlp; dcgan: its channels)",
        widget=Widget("D depth", "slider", column=1),
    ),
    "g_width": Spec(
        int,
        8,
        512,
        help="units per hidden layer of G (arch mlp)",
        widget=Widget("G width", "steps", column=0, steps=WIDTHS),
    ),
    "d_width": Spec(
        int,
        8,
        512,
        help="units per hidden layer of D (arch mlp)",
        widget=Widget("D width", "steps", column=1, steps=WIDTHS),
    ),
    "z_dim": Spec(
        int, 1, 128, help="dimension of the latent noise z", widget=Widget("z dimension", "slider")
    ),
    "optimizer": Spec(
        str, choices=OPTIMIZERS, help="optimiser of G and D", widget=Widget("Optimiser", "radio")
    ),
    "lr_g": Spec(
        float,
        1e-6,
        1.0,
        help="learning rate of G",
        widget=Widget("G learning rate", "steps", column=0, steps=LRS, format="%g"),
    ),
    "lr_d": Spec(
        float,
        1e-6,
        1.0,
        help="learning rate of D",
        widget=Widget("D learning rate", "steps", column=1, steps=LRS, format="%g"),
    ),
    "batch": Spec(
        int,
        8,
        1024,
        help="real and generated points per training step",
        widget=Widget("Batch size", "steps", steps=BATCHES),
    ),
    "d_steps": Spec(
        int,
        0,
        10,
        help="D steps per G step (0: the loss's default, 1; 5 for wgan-gp)",
        widget=Widget("D steps per G step", "slider"),
    ),
    "seed": Spec(
        int,
        0,
        2**31 - 1,
        help="random seed of the data, the networks and the noise",
        widget=Widget("Seed", "number"),
    ),
    "activation": Spec(
        str,
        choices=ACTIVATIONS,
        help="hidden activation of G and D",
        widget=Widget("Activation", "select", section=MORE),
    ),
    "z_dist": Spec(
        str,
        choices=NOISES,
        help="distribution of z: standard normal, or uniform on [-1, 1]",
        widget=Widget("z distribution", "select", section=MORE),
    ),
    "beta1": Spec(
        float,
        0.0,
        0.999,
        help="Adam beta1 (SGD: momentum)",
        widget=Widget("beta1 (SGD: momentum)", "slider", section=MORE, step=0.01, span=(0.0, 0.99)),
    ),
    "beta2": Spec(
        float,
        0.0,
        0.9999,
        help="Adam beta2: decay of the squared-gradient average",
        widget=Widget(
            "beta2", "slider", section=MORE, step=0.0001, span=(0.9, 0.9999), format="%.4f"
        ),
    ),
    "gp_weight": Spec(
        float,
        0.0,
        100.0,
        help="gradient-penalty weight (wgan-gp)",
        widget=Widget("Gradient penalty weight", "number", section=MORE),
    ),
    "info_weight": Spec(
        float,
        0.0,
        10.0,
        help="weight lambda of InfoGAN's code-prediction loss",
        widget=Widget("InfoGAN weight λ", "number", section=MORE, step=0.1),
    ),
    "codes": Spec(
        int,
        0,
        50,
        help="InfoGAN categorical code size, or the self-conditioned GAN's clusters "
        "(0: target's classes)",
        widget=Widget("InfoGAN codes, selfcond clusters (0 = classes)", "number", section=MORE),
    ),
    "cont_codes": Spec(
        int,
        0,
        4,
        help="InfoGAN continuous codes, uniform on [-1, 1], that D learns to read back",
        widget=Widget("InfoGAN continuous codes", "slider", section=MORE),
    ),
    "ema": Spec(
        float,
        0.0,
        0.9999,
        help="G's weights averaged with this decay per step for samples "
        "and metrics (an exponential moving average; 0: off)",
        widget=Widget(
            "Average G's weights (EMA decay, 0 = off)",
            "number",
            section=MORE,
            step=0.001,
            format="%.4f",
        ),
    ),
    "n_points": Spec(
        int,
        100,
        100_000,
        help="size of the training set",
        widget=Widget("Training points", "number", section=MORE, step=100),
    ),
    "pack": Spec(
        int,
        1,
        4,
        help="PacGAN: D judges m samples at once, all real or all fake, concatenated into "
        "one input (1: off); the batch is used rounded down to a multiple of m",
        widget=Widget(
            "Pack m samples into D (PacGAN, 1 = off)", "slider", section=AGAINST_COLLAPSE
        ),
    ),
    "mbstd": Spec(
        str,
        choices=SWITCH,
        help="minibatch standard deviation (ProGAN): D's last layer also reads the batch's "
        "spread, the mean over D's last hidden features of their std over the batch",
        widget=Widget("Minibatch std feature in D", "radio", section=AGAINST_COLLAPSE),
    ),
    "spectral_norm": Spec(
        str,
        choices=SWITCH,
        help="spectral normalisation: each of D's layers uses W / σ(W), its weights divided "
        "by their largest singular value (one power iteration per D step)",
        widget=Widget("Spectral normalisation of D", "radio", section=AGAINST_COLLAPSE),
    ),
    "unroll": Spec(
        int,
        0,
        10,
        help="unrolled GAN (first-order): G's step scores its points against a copy of D "
        "advanced k plain gradient steps (D's loss on G's batch, D's learning rate), "
        "without backpropagating through those steps (0: off)",
        widget=Widget("Unroll D k steps for G (0 = off)", "slider", section=AGAINST_COLLAPSE),
    ),
    "arch": Spec(
        str,
        choices=ARCHS,
        help="networks of G and D: mlp (fully connected, any target) or dcgan (convolutional, "
        "image targets such as digits; the DCGAN rules below, each of which can be broken)",
        widget=Widget("Architecture", "radio", section=CONV),
    ),
    "g_channels": Spec(
        int,
        8,
        128,
        help="dcgan: channels of G's first feature map (2×2), halved at each upsampling",
        widget=Widget("G channels", "steps", section=CONV, column=0, steps=CHANNELS),
    ),
    "d_channels": Spec(
        int,
        8,
        128,
        help="dcgan: channels of D's first convolution, doubled at each downsampling",
        widget=Widget("D channels", "steps", section=CONV, column=1, steps=CHANNELS),
    ),
    "strided": _rule(
        "Rule: strided convolutions, no pooling",
        "DCGAN rule: strided convolutions down in D and transposed ones up in G "
        "(off: max pooling in D, nearest upsampling in G)",
    ),
    "batchnorm": _rule(
        "Rule: batchnorm in G and D",
        "DCGAN rule: batchnorm in G and D (off: none)",
    ),
    "fc_hidden": _rule(
        "Break a rule: a fully connected hidden layer",
        "breaks the DCGAN rule 'no fully connected hidden layers': on adds one to G "
        "(before its projection) and one to D (before its output)",
    ),
    "tanh_out": _rule(
        "Rule: Tanh at G's output",
        "DCGAN rule: Tanh at G's output (off: linear); G's hidden layers use ReLU",
    ),
    "leaky_d": _rule(
        "Rule: LeakyReLU in D",
        "DCGAN rule: LeakyReLU (slope 0.2) in D (off: ReLU)",
    ),
}
