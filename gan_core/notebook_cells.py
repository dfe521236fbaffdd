"""The code cells of an exported notebook (notebook.py), as source text from a RunConfig.

Plain PyTorch, numpy, scikit-learn and matplotlib in the lecture's style: each function
returns one cell's source. The code reproduces the engine's data makers (targets.py),
nets (nets.py), losses (losses.py), GAN types (gans.py) and optimisers (trainer.py),
written out for reading, never imported. D, with the settings against mode collapse:
notebook_mitigations.py; DCGAN's nets: notebook_conv.py; the loop: notebook_loop.py.
"""

from __future__ import annotations

from gan_core import notebook_conv as conv
from gan_core import notebook_mitigations as M
from gan_core import notebook_selfcond as S
from gan_core.engine import targets as T
from gan_core.engine.config import RunConfig
from gan_core.engine.evaluation import count_modes

ACT = {"relu": "nn.ReLU()", "leakyrelu": "nn.LeakyReLU(0.2)", "tanh": "nn.Tanh()"}
SK_SEED = "random_state=int(rng.integers(0, 2**31 - 1))"


def num(value: float) -> str:
    """A number as Python source: integers without a point, floats round-tripping."""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def mode_word(cfg: RunConfig) -> str | None:
    """What the figures count (as the app's status line): mode, class, digit or None."""
    target = T.TARGETS[cfg.target]
    labels = cfg.custom[1] if cfg.target == "custom" else None
    if not count_modes(cfg, labels):
        return None
    if target.image is not None:
        return "digit"
    return "mode" if target.modes(**cfg.params) is not None else "class"


# --- setup and data --------------------------------------------------------------------


def setup(cfg: RunConfig, steps: int) -> str:
    p = cfg
    lines = [
        *(["import copy"] if cfg.ema > 0 else []),
        "import math",
        "",
        "import matplotlib.pyplot as plt",
        "import numpy as np",
        "import torch",
        "import torch.nn.functional as F",
        "from sklearn import datasets",
        *(["from sklearn.cluster import KMeans"] if S.on(cfg) else []),
        *(
            ["from sklearn.linear_model import LogisticRegression"]
            if cfg.target == "digits"
            else []
        ),
        *(
            ["from sklearn.model_selection import train_test_split"]
            if cfg.target == "digits"
            else []
        ),
        "from torch import nn",
        *M.imports(cfg),
        "",
        f"SEED = {p.seed}",
        f"STEPS = {steps}  # training steps: each is D_STEPS steps of D, then one of G",
        f"N_POINTS = {p.n_points}  # size of the training set",
        f"Z_DIM = {p.z_dim}  # dimension of the noise z ({p.z_dist})",
        *(conv.setup(cfg) if cfg.arch == "dcgan" else []),
        *M.batch(cfg),
        f"D_STEPS = {p.effective_d_steps}  # D steps per G step",
        f"LR_G, LR_D = {num(p.lr_g)}, {num(p.lr_d)}  # learning rates",
        f"BETA1, BETA2 = {num(p.beta1)}, {num(p.beta2)}  # "
        + ("Adam's betas" if p.optimizer == "adam" else "BETA1: SGD's momentum"),
    ]
    if p.loss == "wgan-gp":
        lines.append(f"GP_WEIGHT = {num(p.gp_weight)}  # weight of the gradient penalty")
    if p.gan == "infogan":
        lines.append(f"INFO_WEIGHT = {num(p.info_weight)}  # lambda of the code-prediction loss")
    if p.ema > 0:
        lines.append(f"EMA = {num(p.ema)}  # decay of the moving average of G's weights")
    if p.unroll > 0:
        lines.append(f"UNROLL = {p.unroll}  # G scores against D advanced UNROLL steps")
    if S.on(cfg):
        lines += S.setup(cfg)
    lines += ["", "torch.manual_seed(SEED)", "np.random.seed(SEED)"]
    return "\n".join(lines)


def _custom(cfg: RunConfig) -> str:
    points, labels = cfg.custom
    rows = [f"[{a!r}, {b!r}]" for a, b in points.tolist()]
    body = ",\n".join("    " + ", ".join(rows[i : i + 4]) for i in range(0, len(rows), 4))
    labs = [str(v) for v in labels.tolist()]
    lab_body = ",\n".join("    " + ", ".join(labs[i : i + 20]) for i in range(0, len(labs), 20))
    return (
        f"# your {len(rows)} points and their labels, as uploaded or drawn in the app\n"
        f"POINTS = [\n{body},\n]\nLABELS = [\n{lab_body},\n]\n"
        "x = np.array(POINTS)\ny = np.array(LABELS)"
    )


MIXTURE = """y = rng.integers(0, len(CENTRES), size=N_POINTS)  # which Gaussian each point is from
x = CENTRES[y] + STD * rng.standard_normal((N_POINTS, 2))"""

DATA = {
    "moons": lambda p: (
        f"""NOISE = {num(p["noise"])}
x, y = datasets.make_moons(N_POINTS, noise=NOISE, {SK_SEED})
x = x - np.array([0.5, 0.25])  # centred on the origin"""
    ),
    "circles": lambda p: (
        f"""NOISE, FACTOR = {num(p["noise"])}, {num(p["factor"])}
x, y = datasets.make_circles(N_POINTS, noise=NOISE, factor=FACTOR, {SK_SEED})
x = 2.0 * x"""
    ),
    "ring": lambda p: (
        f"""MODES, RADIUS, STD = {num(p["modes"])}, {num(p["radius"])}, {num(p["std"])}
angles = 2 * np.pi * np.arange(MODES) / MODES
CENTRES = RADIUS * np.stack([np.cos(angles), np.sin(angles)], axis=1)
{MIXTURE}"""
    ),
    "grid": lambda p: (
        f"""SIDE, SPACING, STD = {num(p["side"])}, {num(p["spacing"])}, {num(p["std"])}
axis = (np.arange(SIDE) - (SIDE - 1) / 2) * SPACING
xx, yy = np.meshgrid(axis, axis, indexing="ij")
CENTRES = np.stack([xx.ravel(), yy.ravel()], axis=1)
{MIXTURE}"""
    ),
    "spiral": lambda p: (
        f"""ARMS, NOISE = {num(p["arms"])}, {num(p["noise"])}
y = rng.integers(0, ARMS, size=N_POINTS)  # which arm
t = np.sqrt(rng.uniform(0.02, 1.0, size=N_POINTS))
theta = 3.0 * np.pi * t + 2 * np.pi * y / ARMS
x = np.stack([2.5 * t * np.cos(theta), 2.5 * t * np.sin(theta)], axis=1)
x = x + NOISE * rng.standard_normal((N_POINTS, 2))"""
    ),
    "swissroll": lambda p: (
        f"""NOISE, SEGMENTS = {num(p["noise"])}, {num(p["segments"])}
x3, t = datasets.make_swiss_roll(N_POINTS, noise=NOISE, {SK_SEED})
x = x3[:, [0, 2]] / 5.0
edges = np.quantile(t, np.linspace(0, 1, SEGMENTS + 1)[1:-1])
y = np.searchsorted(edges, t)  # labels: segments along the roll"""
    ),
    "checkerboard": lambda p: (
        f"""SIDE, NOISE = {num(p["side"])}, {num(p["noise"])}
cells = [(i, j) for i in range(SIDE) for j in range(SIDE) if (i + j) % 2 == 0]
y = rng.integers(0, len(cells), size=N_POINTS)  # which black square
x = np.array(cells, dtype=float)[y] + rng.uniform(0, 1, size=(N_POINTS, 2))
x = (x - SIDE / 2) * (4.0 / SIDE)
x = x + NOISE * rng.standard_normal((N_POINTS, 2))"""
    ),
    "pinwheel": lambda p: (
        f"""ARMS = {num(p["arms"])}
RADIAL_STD, TANGENTIAL_STD, RATE = {num(p["radial_std"])}, {num(p["tangential_std"])}, \
{num(p["rate"])}
y = rng.integers(0, ARMS, size=N_POINTS)  # which arm
feats = rng.standard_normal((N_POINTS, 2)) * np.array([RADIAL_STD, TANGENTIAL_STD])
feats[:, 0] += 1.0
angles = 2 * np.pi * y / ARMS + RATE * np.exp(feats[:, 0])
c, s = np.cos(angles), np.sin(angles)
rot = np.stack([c, -s, s, c], axis=1).reshape(-1, 2, 2)
x = 1.2 * np.einsum("ni,nij->nj", feats, rot)"""
    ),
    "digits": lambda p: (
        """digits = datasets.load_digits()  # 1,797 images of 8x8 pixels in [0, 16]
x = digits.data / 8.0 - 1.0  # pixels in [-1, 1], the range of G's tanh output
y = digits.target"""
    ),
}


def data(cfg: RunConfig) -> str:
    target = T.TARGETS[cfg.target]
    if cfg.target == "custom":
        make = _custom(cfg)
    else:
        make = "rng = np.random.default_rng(SEED)\n" * (target.fixed is None)
        make += DATA[cfg.target](cfg.params)
    return (
        f"{make}\n\n"
        "X = torch.tensor(x, dtype=torch.float32)  # the training set\n"
        "Y = torch.tensor(y, dtype=torch.long)  # each point's label\n"
        f"N_CLASSES = {cfg.n_classes}\n"
        f"DIM = {target.dim}  # values per sample\n"
        f"EXTENT = {num(round(target.extent(**cfg.params), 6))}  # half-width of the plot\n"
        'print(f"{len(X)} samples of {DIM} values, {N_CLASSES} label(s)")'
    )


# --- networks and losses --------------------------------------------------------------


def networks(cfg: RunConfig) -> str:
    act = ACT[cfg.activation]
    target = T.TARGETS[cfg.target]
    cond = M.cond(cfg)
    g_extra = f" + {cond}" if cond else " + N_CODES + N_CONT" * (cfg.gan == "infogan")
    out = []
    if cfg.gan == "infogan":
        out += [
            f"N_CODES = {cfg.n_codes}  # categorical code: one of N_CODES, one-hot",
            f"N_CONT = {cfg.cont_codes}  # continuous codes, uniform in [-1, 1]",
            "",
        ]
    if S.on(cfg):
        out += S.networks(cfg)
    if cfg.arch == "dcgan":
        g = conv.generator(cfg, f"Z_DIM{g_extra}")
    else:
        g = M.layers(f"Z_DIM{g_extra}", "DIM", cfg.g_depth, cfg.g_width, act, True)
        if target.g_out == "tanh":
            g.append("nn.Tanh(),  # samples in [-1, 1], as the data")
    out += ["G = nn.Sequential(", *("    " + ln for ln in g), ")"]
    if cfg.arch == "dcgan":
        out += conv.discriminator(cfg)
    else:
        norm = M.sn(cfg)
        body = M.layers(M.d_width_in(cfg), "", cfg.d_depth, cfg.d_width, act, False, norm)
        out += M.discriminator(cfg, body, str(cfg.d_width))
    if cfg.optimizer == "adam":
        out += [
            "opt_g = torch.optim.Adam(G.parameters(), lr=LR_G, betas=(BETA1, BETA2))",
            "opt_d = torch.optim.Adam(d_params, lr=LR_D, betas=(BETA1, BETA2))",
        ]
    else:
        out += [
            "opt_g = torch.optim.SGD(G.parameters(), lr=LR_G, momentum=BETA1)",
            "opt_d = torch.optim.SGD(d_params, lr=LR_D, momentum=BETA1)",
        ]
    if cfg.ema > 0:
        out.append("G_ema = copy.deepcopy(G).requires_grad_(False)  # averaged G, for samples")
    out.append("print(G)")
    return "\n".join(out)


LOSS = {
    "minimax": """def d_loss(real, fake):  # -log D(x) - log(1 - D(G(z)))
    return (F.binary_cross_entropy_with_logits(real, torch.ones_like(real))
            + F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake)))


def g_loss(fake):  # G minimises log(1 - D(G(z))): it saturates when D is sure
    return -F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake))""",
    "nonsaturating": """def d_loss(real, fake):  # -log D(x) - log(1 - D(G(z)))
    return (F.binary_cross_entropy_with_logits(real, torch.ones_like(real))
            + F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake)))


def g_loss(fake):  # G maximises log D(G(z))
    return F.binary_cross_entropy_with_logits(fake, torch.ones_like(fake))""",
    "lsgan": """def d_loss(real, fake):  # least squares: real towards 1, fake towards 0
    return 0.5 * ((real - 1) ** 2).mean() + 0.5 * (fake**2).mean()


def g_loss(fake):
    return 0.5 * ((fake - 1) ** 2).mean()""",
    "hinge": """def d_loss(real, fake):
    return F.relu(1 - real).mean() + F.relu(1 + fake).mean()


def g_loss(fake):
    return -fake.mean()""",
    "wgan-gp": """def d_loss(real, fake):  # D is a critic: a score, not a probability
    return fake.mean() - real.mean()


def g_loss(fake):
    return -fake.mean()""",
}
GP = """def gradient_penalty(real, fake, cond=None):
    \"\"\"(|grad D(x_hat)| - 1)^2 on points x_hat between real and fake ones.\"\"\"
    alpha = torch.rand(len(real), 1)
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    inputs = mixed if cond is None else torch.cat([mixed, cond], 1)
    (grad,) = torch.autograd.grad(D(inputs).sum(), mixed, create_graph=True)
    return ((grad.norm(dim=1) - 1) ** 2).mean()"""

INFO = """


def info_loss(q, code, cont):
    \"\"\"Q's error on G's codes: cross-entropy on the categorical code, squared error on
    the continuous ones.\"\"\"
    loss = F.cross_entropy(q[:, :N_CODES], code)
    if N_CONT:
        loss = loss + ((q[:, N_CODES:] - cont) ** 2).mean()
    return loss"""

NOISE = {
    "gaussian": "return torch.randn(n, Z_DIM)",
    "uniform": "return torch.rand(n, Z_DIM) * 2 - 1",
}


def loss(cfg: RunConfig) -> str:
    text = LOSS[cfg.loss]
    if cfg.loss == "wgan-gp":
        text += "\n\n\n" + (M.GP_PACKED if M.packs(cfg) else GP)
    return text + (INFO if cfg.gan == "infogan" else "")


def latent(cfg: RunConfig) -> str:
    """The noise, and G's input with its label (cGAN) or codes (InfoGAN)."""
    text = f"def noise(n):\n    {NOISE[cfg.z_dist]}\n"
    if M.cond(cfg):
        what = "cluster" if S.on(cfg) else "class"
        text += f"""

def g_input(n, labels):
    \"\"\"z and the one-hot label: G draws a point of that {what}.\"\"\"
    return torch.cat([noise(n), F.one_hot(labels, {M.cond(cfg)}).float()], 1)
"""
    elif cfg.gan == "infogan":
        text += """

def codes(n):
    \"\"\"A random categorical code and continuous codes for each of n samples.\"\"\"
    return torch.randint(N_CODES, (n,)), torch.rand(n, N_CONT) * 2 - 1


def g_input(n, code, cont):
    return torch.cat([noise(n), F.one_hot(code, N_CODES).float(), cont], 1)
"""
    return text
