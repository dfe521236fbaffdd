"""Each paper's own mode-collapse setup, as its released code has it, and its published
table: the data bench/papers.py trains and prints by (docs/metrics.md, "The papers'
setups").

One dict per paper:
- ``source``: the repository and files read; ``targets``: the geometry (``centres``
  turns it into centres and weights); ``samples``: generated samples a figure is
  computed on; ``trials``: runs a published figure summarises;
- ``budget``, ``nets``: what the paper's code trains, in words; ``engine``: the nearest
  RunConfig settings, and ``deviations``: what the engine cannot do as the code does;
- ``hq``: ``circle`` or ``square`` (metrics.high_quality) and the definitions in words;
- ``published``: target → rows (method, modes, hq %, rkl), each a number, a
  (mean, standard error) pair, or None where the table has no figure.
"""

from __future__ import annotations

import numpy as np

RING8 = {"kind": "ring", "modes": 8, "radius": 1.0, "std": 0.01}
GRID25 = {"kind": "grid", "side": 5, "spacing": 2.0, "std": 0.05}
CIRCLE = (
    "within 3σ of its nearest mode's centre (the distance: a circle of radius 3σ), "
    "σ the mixture's standard deviation"
)
MODES = "the number of mixture components nearest to at least one high-quality sample"
FIGURES = "mean over runs"
PACGAN_NETS = dict(
    z_dim=2, g_depth=4, g_width=400, d_depth=3, d_width=200, activation="relu",
    lr_g=1e-4, lr_d=1e-4, beta1=0.8, batch=100, n_points=100_000,
)  # fmt: skip
"""PacGAN's nets and optimiser in the engine's settings (the self-conditioned GAN's too)."""
WIDE_NETS = dict(
    z_dim=128, g_depth=2, g_width=128, d_width=128, lr_g=1e-3, beta1=0.5, n_points=100_000
)
"""What VEEGAN's and GDPP's setups share in the engine's settings."""

SETUPS: dict[str, dict] = {
    "pacgan": {
        "title": "PacGAN (Lin et al. 2018), Table 1",
        "source": "https://github.com/fjxmlzn/PacGAN synthetic_data_experiments/"
        "2DRing_GAN&PacGAN/{config,pacgan_task}.py, 2DGrid_GAN&PacGAN/config.py, "
        "PacGAN/pacgan/extensions.py (MetricLogger), results/Table1.png",
        "targets": {"ring": RING8, "grid": GRID25},
        "train_points": "a fixed set of 100,000 points",
        "samples": 2500,
        "trials": 10,
        "figures": "mean ± standard error over 10 trials",
        "budget": "400 epochs of the 100,000 points in minibatches of 100 packs: 400,000 "
        "steps (one D and one G update each); D reads 100 packs of m points, G makes 100·m",
        "steps": 400_000,
        "nets": "G: z 2-D N(0, I) → 4 × 400 (linear without bias, batchnorm, ReLU) → 2. "
        "D: (2·m inputs) → 3 × 200 maxout with 5 pieces → 1. Weights N(0, 0.02), biases 0. "
        "Adam lr 1e-4, β1 0.8 for both.",
        "engine": PACGAN_NETS,
        "pack_rule": "packs",  # the batch counts packs: m × 100 points
        "deviations": [
            "no batchnorm in G, ReLU instead of maxout in D, PyTorch's initialisation",
        ],
        "hq": "circle",
        "hq_def": "the Mahalanobis distance to the nearest mode, with the diagonal of its "
        "covariance, below 3: for these isotropic modes, " + CIRCLE,
        "mode_def": MODES + " (a mode with a nonzero count in its 'detail of coverage')",
        "rkl_def": "not in the released code, which logs the entropy and the JS divergence "
        "of the high-quality samples' histogram over the modes; log K minus that entropy "
        "is 'rkl hq' here. The paper's figure may count every sample ('rkl all')",
        "published": {
            "ring": [
                ("GAN", (6.3, 0.5), (98.2, 0.2), (0.45, 0.09)),
                ("ALI", (6.6, 0.3), (97.6, 0.4), (0.36, 0.04)),
                ("PacGAN2", (7.9, 0.1), (95.6, 2.0), (0.07, 0.03)),
                ("PacGAN3", (7.8, 0.1), (97.7, 0.3), (0.10, 0.02)),
                ("PacGAN4", (7.8, 0.1), (95.9, 1.4), (0.07, 0.02)),
            ],
            "grid": [
                ("GAN", (17.3, 0.8), (94.8, 0.7), (0.70, 0.07)),
                ("ALI", (24.1, 0.4), (95.7, 0.6), (0.14, 0.03)),
                ("PacGAN2", (23.8, 0.7), (91.3, 0.8), (0.13, 0.04)),
                ("PacGAN3", (24.6, 0.4), (94.2, 0.4), (0.06, 0.02)),
                ("PacGAN4", (24.8, 0.2), (93.6, 0.6), (0.04, 0.01)),
            ],
        },
    },
    "veegan": {
        "title": "VEEGAN (Srivastava et al. 2017), Table 1",
        "source": "https://github.com/akashgit/VEEGAN index.md, tab.png, 2d_kde.png; "
        "VEEGAN_2D_RING.ipynb is not readable in the store (its blob is missing), its "
        "training loop and evaluation read from two public copies of the notebook's code",
        "targets": {"ring": RING8, "grid": GRID25},
        "train_points": "fresh draws from the mixture every step",
        "samples": 2500,
        "trials": 5,
        "figures": FIGURES + " (5 runs)",
        "budget": "100 epochs × 1,000 steps = 100,000 steps of batch 500",
        "steps": 100_000,
        "nets": "VEEGAN's own: G: noise 254-D N(0, I) (+ 1-D ε) → 2 × 128 ReLU → 2; D reads "
        "(x, z): 1 × 128 ReLU → 1. Adam lr 1e-3, β1 0.5. The baselines' (GAN, ALI, "
        "unrolled GAN) nets are not in the released material",
        "engine": {**WIDE_NETS, "d_depth": 1, "activation": "relu", "lr_d": 1e-3, "batch": 500},
        "pack_rule": "packs",
        "deviations": [
            "z 128-D (the engine's largest) for 254-D",
            "a fixed set of 100,000 points (the engine's largest) for fresh draws",
            "ring σ 0.01 is PacGAN's and GDPP's code's: VEEGAN's notebook is not readable "
            "here; its Figure 2 shows 8 modes on a circle of radius 1",
        ],
        "hq": "circle",
        "hq_def": CIRCLE + " (the code: distance ≤ 3σ)",
        "mode_def": MODES,
        "rkl_def": "not reported",
        "published": {
            "ring": [
                ("GAN", 1, 99.3, None),
                ("ALI", 2.8, 0.13, None),
                ("Unrolled GAN", 7.6, 35.6, None),
                ("VEEGAN", 8, 52.9, None),
            ],
            "grid": [
                ("GAN", 3.3, 0.5, None),
                ("ALI", 15.8, 1.6, None),
                ("Unrolled GAN", 23.6, 16, None),
                ("VEEGAN", 24.6, 40, None),
            ],
        },
    },
    "gdpp": {
        "title": "GDPP (Elfeki et al. 2019), Table 1",
        "source": "https://github.com/M-Elfeki/GDPP gdppgan_Synthetic.py, "
        "Figures/synthetic_qualitative.png",
        "targets": {
            # np.linspace(0, 2π, 8): the first and last angles are one point
            "ring": {**RING8, "kind": "linspace-ring"},
            "grid": GRID25,
        },
        "train_points": "fresh draws from the mixture every step",
        "samples": 2500,
        "trials": "not in the released code (one fixed seed, 100)",
        "figures": FIGURES,
        "budget": "25,000 steps of batch 512; G's and D's updates from one batch at once",
        "steps": 25_000,
        "nets": "G: z 256-D N(0, I) → 2 × 128 tanh → 2. D: 2 × 128 tanh → 1. Orthogonal "
        "initialisation, gain 1.4. Adam β1 0.5, ε 1e-8: G lr 1e-3, D lr 1e-4. GDPP-GAN "
        "adds its eigen-loss on D's last hidden features to G's loss",
        "engine": {**WIDE_NETS, "d_depth": 2, "activation": "tanh", "lr_d": 1e-4, "batch": 512},
        "pack_rule": "packs",
        "deviations": [
            "z 128-D (the engine's largest) for 256-D",
            "a fixed set of 100,000 points (the engine's largest) for fresh draws",
            "D's step, then G's (the code updates both from one batch at once)",
            "PyTorch's initialisation for the orthogonal one",
            "the ring has 7 distinct modes, as the code's np.linspace(0, 2π, 8) and its "
            "figure; its evaluation can count at most 7, its Table 1 reports up to 8",
        ],
        "hq": "circle",
        "hq_def": CIRCLE + " (the code: distance ≤ 3σ)",
        "mode_def": MODES + " (the code's mode list repeats one ring centre; the nearest "
        "is the first, so it counts 7 at most)",
        "rkl_def": "not reported",
        "published": {
            # the table's other rows are not in the material read here
            "ring": [("GDPP-GAN", 8.0, 71.7, None)],
            "grid": [("GDPP-GAN", 24.8, 68.5, None)],
        },
    },
    "selfcond": {
        "title": "Self-conditioned GAN (Liu et al. 2020), 2-D code",
        "source": "https://github.com/stevliu/self-conditioned-gan 2d_mix/{train,inputs,"
        "evaluation,config}.py, 2d_mix/models/cluster.py",
        "targets": {"ring": {**RING8, "radius": 2.0}, "grid": GRID25},
        "train_points": "a fixed set of 100,000 points",
        "samples": 50_000,
        "trials": "1 by default (--nruns)",
        "figures": "no published rows entered here",
        "budget": "100 epochs of the 100,000 points in batches of 100: 100,000 steps; "
        "k-means with 50 clusters on 10,000 points every 5,000 steps",
        "steps": 100_000,
        "nets": "PacGAN's: G 4 × 400 (batchnorm, ReLU), z 2-D; D 3 × 200 maxout (5 pieces). "
        "Adam lr 1e-4, β1 0.8, β2 0.999",
        "engine": PACGAN_NETS,
        "pack_rule": "packs",
        "deviations": ["no batchnorm in G, ReLU instead of maxout in D"],
        "hq": "square",
        "hq_def": "within 3σ of a mode's centre on each axis (a square of side 6σ)",
        "mode_def": "the number of modes whose square holds at least one sample",
        "rkl_def": "KL(p̂ ‖ uniform), p̂ the share of all samples nearest each mode "
        "('rkl all', this project's rkl)",
        "published": {"ring": [], "grid": []},
    },
}

METHODS: dict[str, dict] = {
    "target": {},  # the target's own samples: what a perfect generator scores
    "gan": {},
    "pacgan2": {"pack": 2},
    "pacgan3": {"pack": 3},
    "pacgan4": {"pack": 4},
    "unrolled": {"unroll": 5},  # VEEGAN: "five, as the authors' reference implementation"
    # the self-conditioned GAN's code clusters into 50; the engine clusters its whole
    # training set every 500 steps, so 10,000 points (the size the code clusters)
    "selfcond": {"gan": "selfcond", "codes": 50, "n_points": 10_000},
    "infogan": {"gan": "infogan"},  # codes: the target's modes
}
PUBLISHED_NAME = {
    "gan": "GAN",
    "pacgan2": "PacGAN2",
    "pacgan3": "PacGAN3",
    "pacgan4": "PacGAN4",
    "unrolled": "Unrolled GAN",
    "selfcond": "self-conditioned GAN",
    "infogan": "InfoGAN",
    "target": "the target's own samples",
}


def centres(geometry: dict) -> tuple[np.ndarray, np.ndarray]:
    """The distinct mode centres ``(K, 2)`` of a setup's target and their weights."""
    kind = geometry["kind"]
    if kind == "grid":
        axis = (np.arange(geometry["side"]) - (geometry["side"] - 1) / 2) * geometry["spacing"]
        xx, yy = np.meshgrid(axis, axis, indexing="ij")
        c = np.stack([xx.ravel(), yy.ravel()], 1)
        return c, np.full(len(c), 1 / len(c))
    k, r = geometry["modes"], geometry["radius"]
    if kind == "ring":
        angles = 2 * np.pi * np.arange(k) / k
        return r * np.stack([np.cos(angles), np.sin(angles)], 1), np.full(k, 1 / k)
    if kind == "linspace-ring":  # GDPP's code: k components, the first and last one point
        angles = np.linspace(0, 2 * np.pi, k)
        listed = r * np.stack([np.sin(angles), np.cos(angles)], 1)
        distinct, inverse = np.unique(np.round(listed, 9), axis=0, return_inverse=True)
        return distinct, np.bincount(inverse.ravel(), minlength=len(distinct)) / k
    raise ValueError(f"unknown geometry {kind!r}")


def sample(geometry: dict, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n points of a setup's target and their mode."""
    c, w = centres(geometry)
    labels = rng.choice(len(c), size=n, p=w)
    return c[labels] + geometry["std"] * rng.standard_normal((n, 2)), labels
