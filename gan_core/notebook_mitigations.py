"""D in an exported notebook (notebook.py), with the settings against mode collapse.

``pack`` (PacGAN) is a reshape before D, ``mbstd`` a function in D's forward and
``spectral_norm`` torch's parametrization on D's hidden layers and head, as the engine
does them (nets.py, gans.py, losses.py, spectral.py). Each writes code only when it is
set: a notebook without them is the plain one.
"""

from __future__ import annotations

from gan_core.engine.config import RunConfig


def cond(cfg: RunConfig) -> str | None:
    """The number of classes of the one-hot label beside G's and D's inputs, or None."""
    return {"cgan": "N_CLASSES", "selfcond": "N_CLUSTERS"}.get(cfg.gan)


def packs(cfg: RunConfig) -> bool:
    return cfg.pack > 1


def mbstd(cfg: RunConfig) -> bool:
    return cfg.mbstd == "on"


def sn(cfg: RunConfig) -> bool:
    return cfg.spectral_norm == "on"


def sn_steps(cfg: RunConfig) -> bool:
    """Spectral norm with one power iteration per D step and none in G's (the MLP's); a
    DCGAN's D trains in training mode throughout, one iteration at each forward."""
    return sn(cfg) and cfg.arch == "mlp"


# --- setup -----------------------------------------------------------------------------


def imports(cfg: RunConfig) -> list[str]:
    if not sn(cfg):
        return []
    return [
        *["from torch.nn.utils import parametrize"] * sn_steps(cfg),
        "from torch.nn.utils.parametrizations import spectral_norm",
    ]


def batch(cfg: RunConfig) -> list[str]:
    """The batch size (rounded down to a multiple of m with ``pack``)."""
    if not packs(cfg):
        return [f"BATCH = {cfg.batch}"]
    return [
        f"PACK = {cfg.pack}  # PacGAN: D judges PACK samples at once",
        f"BATCH = {cfg.batch} // PACK * PACK  # rounded down to a multiple of PACK",
    ]


# --- the section "Against mode collapse" -----------------------------------------------


def markdown(cfg: RunConfig) -> str | None:
    """The section's text, or None when no setting is on."""
    parts = []
    if packs(cfg):
        text = (
            "**PacGAN** (`pack`, Lin et al. 2018): D judges PACK samples at once, all real "
            "or all fake, side by side in one input: `pack` reshapes a batch of BATCH "
            "samples into BATCH / PACK packs. Packs of a G that has collapsed onto a few "
            "points look alike, which real packs do not, so D can tell them apart and G "
            "must spread out."
        )
        if cond(cfg):
            text += " Each sample keeps its label beside it in the pack."
        if cfg.gan == "infogan":
            text += " Q reads the pack's features and guesses each of its samples' codes."
        if cfg.loss == "wgan-gp":
            text += (
                " The gradient penalty mixes a real and a fake pack with one α per pack and "
                "takes the norm of D's gradient over the whole pack."
            )
        parts.append(text)
    if mbstd(cfg):
        parts.append(
            "**Minibatch standard deviation** (`mbstd`, ProGAN, Karras et al. 2018): D's "
            "last layer reads one more feature, the spread of the batch: the standard "
            "deviation over the batch of each of D's last hidden features, averaged, the "
            "same value for every sample. A collapsed G's batch has a small spread, and D "
            "sees it. D reads the real and the fake batch in separate calls, so each has "
            "its own value."
        )
    if sn(cfg):
        parts.append(_sn_markdown(cfg))
    if cfg.unroll > 0:
        parts.append(
            "**Unrolled GAN** (`unroll`, Metz et al. 2017), first order: G's step scores its "
            "samples against D as it will be after UNROLL more steps, so G is pushed toward "
            "where D is going rather than where it is. D looks ahead on G's batch (a real "
            "batch drawn with it, G's samples held fixed): UNROLL plain gradient steps of "
            "its own loss with D's learning rate (not Adam's); G's loss runs through that "
            "D, and D's weights are put back after G's step. G's gradient flows through the "
            "look-ahead D's forward but not back through its steps (the paper's full form "
            "also differentiates them)."
        )
    if not parts:
        return None
    return "## Against mode collapse\n\n" + "\n\n".join(parts)


def _sn_markdown(cfg: RunConfig) -> str:
    layers = "hidden layers" if cfg.arch == "mlp" else "convolutions and linear layers"
    text = (
        f"**Spectral normalisation** (`spectral_norm`, Miyato et al. 2018): each of D's "
        f"{layers} uses W / σ(W), its weights divided by their largest singular "
        "value, which keeps D smooth (its slope bounded) and its gradients useful to G. "
        "`torch.nn.utils.parametrizations.spectral_norm` estimates σ by power "
        "iteration, one iteration at each forward of a layer in training mode: "
    )
    if sn_steps(cfg):
        text += (
            "D's step runs its forwards under `parametrize.cached()`, so they share one σ "
            "(one iteration per D step), and G's step runs D in eval mode, reading σ "
            "without moving it."
        )
    else:
        text += (
            "a DCGAN's D is in training mode throughout training (as the app's), so σ's "
            "estimate moves at every forward of D, in D's steps and in G's."
        )
    text += (
        " D's head has one output: its σ is its weight's norm, which power iteration "
        "reaches exactly, so the same parametrization divides it by its norm."
    )
    return text + (" Q's head is not normalised." if cfg.gan == "infogan" else "")


PACK = '''def pack(x, m=PACK):
    """m consecutive samples side by side: [n, k] -> [n / m, m * k]."""
    return x.reshape(len(x) // m, m * x.shape[1])'''

MBSTD = '''def minibatch_std(h):
    """h [n, width] with one more feature: the mean over the width of each feature's
    standard deviation over the n rows, the same on every row."""
    var = ((h - h.mean(0)) ** 2).mean(0)
    std = torch.sqrt(var + 1e-8).mean()  # (+ 1e-8: a finite gradient at 0)
    return torch.cat([h, std.expand(len(h), 1)], 1)'''


def helpers(cfg: RunConfig) -> str | None:
    """The section's code: ``pack`` and ``minibatch_std`` (None: neither is on)."""
    parts = [PACK] * packs(cfg) + [MBSTD] * mbstd(cfg)
    return "\n\n\n".join(parts) or None


# --- D ---------------------------------------------------------------------------------


def layers(n_in: str, n_out: str, depth: int, width: int, act: str, head: bool, norm=False):
    """The lines of an nn.Sequential's layers (``norm``: spectrally normalised)."""
    lin = "spectral_norm(nn.Linear({}, {}))" if norm else "nn.Linear({}, {})"
    lines = [f"{lin.format(n_in if i == 0 else width, width)}, {act}," for i in range(depth)]
    if head:
        lines.append(f"{lin.format(width, n_out)},")
    return lines


def d_width_in(cfg: RunConfig) -> str:
    """The size of D's input rows (a pack's with ``pack``)."""
    one = f"DIM + {cond(cfg)}" if cond(cfg) else "DIM"
    if not packs(cfg):
        return one
    return f"PACK * ({one})" if cond(cfg) else f"PACK * {one}"


def d_modules(cfg: RunConfig) -> list[str]:
    """D's modules: one nn.Sequential, or its features and its head (and Q's)."""
    if cfg.gan in ("infogan", "selfcond") or mbstd(cfg):
        return ["D_body", "D_head"]
    return ["D_net"]


def discriminator(cfg: RunConfig, body: list[str], width: str, x: str = "x") -> list[str]:
    """D (and InfoGAN's Q), ``d_params``, and with ``sn_steps`` ``power_iteration``.

    ``body``: the lines of D's layers up to its features (``width`` of them per row),
    ``x``: their input in D's forward (a function of D's input rows ``x``)."""
    info, norm = cfg.gan == "infogan", sn(cfg)
    parts = d_modules(cfg)
    score = "  # one score per pack of PACK samples" * packs(cfg)
    head = f"nn.Linear({width}, 1)"
    if parts == ["D_net"]:
        head = f"spectral_norm({head})" if norm else head
        out = [
            "D_net = nn.Sequential(",
            *("    " + ln for ln in [*body, f"{head},"]),
            ")",
            "",
            "",
            "def D(x):",
            f"    return D_net({x}).squeeze(1)  # one logit (or critic value) per "
            + ("pack" if packs(cfg) else "sample"),
            "",
            "",
            "d_params = list(D_net.parameters())",
        ]
    else:
        feats = f"{width} + 1" if mbstd(cfg) else f"{width}"
        head = f"nn.Linear({feats}, 1)"
        head = f"spectral_norm({head})" if norm else head
        spread = " (and the batch's spread)" * mbstd(cfg)
        features = f"minibatch_std(D_body({x}))" if mbstd(cfg) else f"D_body({x})"
        out = [
            "D_body = nn.Sequential(  # D's features" + ", shared by its two heads" * info,
            *("    " + ln for ln in body),
            ")",
            f"D_head = {head}  # real or fake{spread}",
        ]
        if info:
            q = "(N_CODES + N_CONT) * PACK" if packs(cfg) else "N_CODES + N_CONT"
            each = ", each sample's" * packs(cfg)
            out.append(f"Q_head = nn.Linear({feats}, {q})  # predicts G's codes{each}")
        out += ["", "", "def D(x):", f"    return D_head({features}).squeeze(1){score}"]
        if info:
            per_sample = ".reshape(-1, N_CODES + N_CONT)  # one row per sample" * packs(cfg)
            out += ["", "", "def Q(x):", f"    return Q_head({features}){per_sample}"]
        q_params = ", *Q_head.parameters()" * info
        out += ["", "", f"d_params = [*D_body.parameters(), *D_head.parameters(){q_params}]"]
    if sn_steps(cfg):
        out += [
            "",
            "",
            "def power_iteration(on):",
            '    """Whether spectral_norm moves its estimate of σ at each forward (a layer in',
            '    training mode): on in D\'s step, off in G\'s."""',
            *(f"    {p}.train(on)" for p in parts),
            "",
            "",
        ]
    return out


GP_PACKED = '''def gradient_penalty(real, fake, cond=None):
    """(|grad D(x_hat)| - 1)^2 on packs x_hat between real and fake packs: one alpha
    per pack, the gradient's norm over the whole pack."""
    alpha = torch.rand(len(real) // PACK, 1).repeat_interleave(PACK, 0)
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    inputs = mixed if cond is None else torch.cat([mixed, cond], 1)
    (grad,) = torch.autograd.grad(D(pack(inputs)).sum(), mixed, create_graph=True)
    return ((pack(grad).norm(dim=1) - 1) ** 2).mean()'''


# --- the training loop -----------------------------------------------------------------


def d_input(cfg: RunConfig, x: str) -> str:
    """D's input for samples ``x`` (already with their label for a cGAN)."""
    return f"pack({x})" if packs(cfg) else x


def d_step(cfg: RunConfig, lines: list[str], indent: str) -> list[str]:
    """D's loss lines, under ``parametrize.cached()`` with ``sn_steps``."""
    if not sn_steps(cfg):
        return lines
    return [
        f"{indent}with parametrize.cached():  # one σ per layer for the whole D step",
        *("    " + ln for ln in lines),
    ]
