"""A run's configuration as a Jupyter notebook: plain PyTorch a student can read and run.

The notebook trains the same configuration as the app (data, MLP or DCGAN nets, loss,
D:G steps, optimiser, cGAN labels, InfoGAN codes or selfcond clusters, the settings
against mode collapse) with torch, numpy, scikit-learn and matplotlib only, never
gan_core; then it plots the samples and prints the run's mode figures in the app's
words. Its numbers are its own (one plain loop, not the app's cohorts), not the app's to
the bit. Cell sources: notebook_cells.py, notebook_mitigations.py (D), notebook_conv.py
(DCGAN), notebook_selfcond.py, notebook_loop.py and notebook_figures.py.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat import v4

from gan_core import notebook_cells as C
from gan_core import notebook_conv as conv
from gan_core import notebook_figures as F
from gan_core import notebook_loop as L
from gan_core import notebook_mitigations as M
from gan_core import notebook_selfcond as S
from gan_core.engine import targets as T
from gan_core.engine.config import RunConfig
from gan_core.engine.gans import GAN_REGISTRY
from gan_core.engine.losses import LOSS_REGISTRY
from gan_core.figures.base import plural

DEFAULT_STEPS = 5000
MAX_STEPS = 10_000_000


def _settings(cfg: RunConfig, steps: int) -> str:
    """The app's settings of the run, and how to train it there."""
    flat = cfg.to_flat()
    rows = "\n".join(f"| `{k}` | {v} |" for k, v in flat.items())
    default = RunConfig().to_flat()
    flags = " ".join(f"--{k} {v}" for k, v in flat.items() if v != default.get(k) and v != "custom")
    data = " --data points.csv" if cfg.target == "custom" else ""
    return (
        f"| setting | value |\n|---|---|\n{rows}\n\n"
        f"The app trains the same run with `python -m gan_core train {flags}{data} "
        f"--steps {steps}`. It draws its random numbers in another order, so its numbers are "
        "not this notebook's to the digit, but close."
    )


def _intro(cfg: RunConfig, steps: int) -> str:
    target = T.TARGETS[cfg.target]
    gan = GAN_REGISTRY[cfg.gan].title
    loss = LOSS_REGISTRY[cfg.loss].title
    return (
        f"# {gan} · {loss} · {target.title}\n\n"
        f"A run exported from GAN Lab, written out in plain PyTorch: {steps:,} training "
        "steps, then the generated samples and the run's figures. Run the cells in order "
        "(Kernel → Restart & Run All).\n\n" + _settings(cfg, steps)
    )


def _data_md(cfg: RunConfig) -> str:
    target = T.TARGETS[cfg.target]
    if cfg.target == "custom":
        how = "your own points, written out below, with their labels (all 0 without labels)"
    elif cfg.target == "digits":
        how = "scikit-learn's 1,797 handwritten digits of 8×8 pixels, scaled to [-1, 1]"
    else:
        how = (
            f"{cfg.n_points:,} points of the target “{target.title}”, drawn with the run's "
            "seed as the app draws them"
        )
    return f"## Data\n\nThe training set: {how}. `y` is each sample's label."


def _networks_md(cfg: RunConfig) -> str:
    depth = (
        f"{cfg.g_depth} hidden layer(s) of {cfg.g_width} (G), {cfg.d_depth} of {cfg.d_width} (D)"
    )
    opt = "Adam (betas BETA1, BETA2)" if cfg.optimizer == "adam" else "SGD (momentum BETA1)"
    kind = {
        "gan": "G maps noise z to a sample; D scores a sample (a logit).",
        "cgan": "A conditional GAN: the one-hot label is concatenated to G's input (z, y) "
        "and to D's (x, y), so G learns to draw a sample of the class it is given.",
        "selfcond": "A self-conditioned GAN (Liu et al. 2020): a conditional GAN whose "
        "labels are not given but made from D, the clusters of its features of the real "
        "samples (below). The one-hot cluster is concatenated to G's input (z, c) and to "
        "D's (x, c), so G learns to draw a sample of the cluster it is given.",
        "infogan": "InfoGAN: G takes z and a code (a one-hot categorical code, and "
        "continuous codes if any); a second head Q on D's features predicts the code "
        "from G's sample, which makes G's codes mean something.",
    }[cfg.gan]
    if cfg.arch == "dcgan":
        return f"## Networks\n\n{kind} {conv.markdown(cfg)} Each has its own optimiser: {opt}."
    out = " The data lies in [-1, 1], so G ends with a tanh." * (
        T.TARGETS[cfg.target].g_out == "tanh"
    )
    return (
        f"## Networks\n\n{kind} Both are multilayer perceptrons: {depth}, activation "
        f"`{cfg.activation}`.{out} Each has its own optimiser: {opt}."
    )


def _loss_md(cfg: RunConfig) -> str:
    loss = LOSS_REGISTRY[cfg.loss]
    text = f"## Loss\n\n{loss.title}. D minimises `d_loss`, G minimises `g_loss`"
    text += " (both on D's raw outputs, logits)." if loss.probability else "."
    if loss.penalty:
        text += " The gradient penalty keeps D's gradient norm near 1 (weight GP_WEIGHT)."
    if cfg.gan == "infogan":
        text += (
            " InfoGAN adds INFO_WEIGHT × Q's error on the codes to both D's (with Q) and G's loss."
        )
    noise = "standard normal" if cfg.z_dist == "gaussian" else "uniform in [-1, 1]"
    return text + f"\n\nThe noise z is {noise}."


def _loop_md(cfg: RunConfig) -> str:
    ema = (
        " G's weights are also averaged (an exponential moving average, decay EMA); the "
        "samples come from the average." * (cfg.ema > 0)
    )
    cond = {
        "gan": "",
        "cgan": " D sees each real point with its label and each fake one with the label "
        "G was given.",
        "infogan": "",
        "selfcond": " D sees each real sample with its cluster and each fake one with the "
        "cluster G was given; after every RECLUSTER steps the real samples are clustered "
        "anew.",
    }[cfg.gan]
    packs = f" (in packs of {cfg.pack})" * (cfg.pack > 1)
    ahead = " G's step first lets D look ahead UNROLL steps (unroll)." * (cfg.unroll > 0)
    return (
        f"## Training loop\n\nEach step: {cfg.effective_d_steps} step(s) of D on a real "
        f"batch of {cfg.batch // cfg.pack * cfg.pack}{packs} and a fake one (G fixed), "
        f"then one step of G through D.{cond}"
        f"{ahead}{ema} The losses are printed ten times."
    )


def _plot_md(cfg: RunConfig) -> str:
    if T.TARGETS[cfg.target].image is not None:
        return "## Samples\n\n100 generated digits."
    return "## Samples\n\n2,500 generated points over the real ones (grey)."


def _figures_md(cfg: RunConfig) -> str:
    word = C.mode_word(cfg)
    if word is None:
        what = (
            "This target has no modes to count; the figures are the KL and JS divergences "
            "between smoothed histograms of the real and the generated points."
        )
    elif word == "digit":
        what = (
            "A classifier fitted on real digits judges which digit each image shows and "
            "how sure it is: a digit is covered when at least 1% of the images are "
            "confident ones of it; hq is the share of confident images."
        )
    else:
        words = plural(word)
        what = (
            f"Each generated point belongs to its nearest {word}; hq is the share within "
            f"3 standard deviations of it, a {word} is covered when it holds such a point; "
            f"effective {words} is the exponential of the entropy of the points' {words}."
        )
    return f"## Figures\n\n{what} Printed as the app's status line words them."


def _mitigations(cfg: RunConfig) -> list:
    """The section on the settings against mode collapse (none when they are off)."""
    text, code = M.markdown(cfg), M.helpers(cfg)
    cells = [v4.new_markdown_cell(text)] if text else []
    return cells + ([v4.new_code_cell(code)] if code else [])


def notebook(config: RunConfig, steps: int = DEFAULT_STEPS) -> nbformat.NotebookNode:
    """The notebook of ``config`` trained for ``steps`` steps (not executed); every
    setting the app trains is written."""
    if not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be between 1 and {MAX_STEPS:,}, got {steps}")
    md, code = v4.new_markdown_cell, v4.new_code_cell
    cells = [
        md(_intro(config, steps)),
        code(C.setup(config, steps)),
        md(_data_md(config)),
        code(C.data(config)),
        *_mitigations(config),
        md(_networks_md(config)),
        code(C.networks(config)),
        md(_loss_md(config)),
        code(C.loss(config) + "\n\n\n" + C.latent(config).rstrip("\n")),
        *([md(S.markdown(config)), code(S.code(config))] if S.on(config) else []),
        md(_loop_md(config)),
        code(L.loop(config)),
        md(_plot_md(config)),
        code(F.plot(config)),
        md(_figures_md(config)),
        code(F.figures(config)),
    ]
    nb = v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def dumps(config: RunConfig, steps: int = DEFAULT_STEPS) -> str:
    """The notebook as .ipynb text."""
    return nbformat.writes(notebook(config, steps))


def write(config: RunConfig, path: str | Path, steps: int = DEFAULT_STEPS) -> Path:
    """Write the notebook to ``path`` (an .ipynb file); returns the path."""
    path = Path(path)
    path.write_text(dumps(config, steps), encoding="utf-8")
    return path
