"""Lecture presets: one click sets up a demo whose caption claim is measured.

Each preset is one registry entry: a title, a caption that says what to watch for, a
training budget, its runs (run type → RunConfig; run types: run_types.py, a GAN type,
a loss or a setting against collapse) and its claims. A claim is a sentence, a
test of one seed's results (every run type's metrics at the budget, same seed) and the
share of seeds it must hold in. The Playground shows a preset's first run; the Compare
page shows them all side by side. ``python -m gan_core preset NAME --seeds 10`` checks
the claims over many seeds headless; ``bench/presets.py`` writes docs/presets.md with
the same definitions.
"""

from __future__ import annotations

from gan_core import run_types
from gan_core.claims import (
    ROW_KEYS,
    Claim,
    Preset,
    Rows,
    beats,
    both,
    by_seed,
    collapsed,
    covers,
    wider,
    within,
)
from gan_core.engine.config import RunConfig

__all__ = [
    "PRESETS",
    "ROW_KEYS",
    "Claim",
    "Preset",
    "Rows",
    "beats",
    "both",
    "by_seed",
    "claims",
    "collapsed",
    "covers",
    "register",
    "within",
    "wider",
]

PRESETS: dict[str, Preset] = {}


def register(preset: Preset) -> Preset:
    PRESETS[preset.name] = preset
    return preset


def claims(preset: Preset | str) -> tuple[Claim, ...]:
    """The preset's claims: (text, test of one seed's rows, share of seeds)."""
    return (PRESETS[preset] if isinstance(preset, str) else preset).claims


# --- the presets -------------------------------------------------------------------

# A strong discriminator (5 D steps per G step); G's weights averaged over the last ~100
# steps for samples and metrics (ema 0.99: a steadier picture, the same training). The
# same settings, seed and budget for all three GAN types.
_RING = RunConfig(target="ring", d_steps=5, ema=0.99)
_RING_STEPS = 12_000


_CGAN_COVERS = Claim("cgan covers 8/8 modes with hq ≥ 0.9", covers("cgan", hq=0.9))
_INFOGAN_COVERS = Claim(
    "infogan covers 8/8 modes with effective modes ≥ 7.2", covers("infogan", eff=0.9)
)
_INFOGAN_BEATS = Claim(
    "infogan passes the best published ring figures at once: 8/8 modes, hq > 0.982 (the "
    "ring's own samples: 0.989), rkl < 0.07",
    beats("infogan", 8, 0.982, 0.07),
)
register(
    Preset(
        "collapse-ring",
        "Mode collapse on the ring",
        "The ring of 8 Gaussians with a strong discriminator (5 D steps per G step). The "
        "plain GAN collapses: within a few thousand steps its samples pile onto a few of "
        "the 8 Gaussians, sharp but only those, and the rest stay empty; watch "
        "'effective modes' fall to 1 to 3. With the same settings, seed and budget, the "
        "conditional GAN, told which mode to draw, puts a sharp blob on every Gaussian, "
        "and InfoGAN, without labels, gives each of its 8 codes (colours) a Gaussian of "
        "its own. Their blobs come out narrower than the data's Gaussians: hq near 100 %, "
        "above the 98.9 % the ring's own samples score, which is no better fit. (G's "
        "weights are averaged over its last ~100 steps for the picture.)",
        _RING_STEPS,
        {g: _RING.replace(gan=g) for g in ("gan", "cgan", "infogan")},
        (
            Claim("gan is collapsed (effective modes ≤ 4 of 8)", collapsed("gan")),
            _CGAN_COVERS,
            Claim(_INFOGAN_COVERS.text, _INFOGAN_COVERS.holds, 0.8),
        ),
    )
)
register(
    Preset(
        "cgan-ring",
        "cGAN covers every mode",
        "The collapse demo's settings and budget (use the same seed), with each point's "
        "mode given to G and D as a label: the conditional GAN draws every one of the 8 "
        "Gaussians from its own label, so it cannot collapse across modes. Watch the "
        "colours: one colour per Gaussian, every blob on its Gaussian and narrower than it: "
        "the high-quality share near 1 is above the 98.9 % the ring's own samples score "
        "(modes narrower than the data's, not a better fit).",
        _RING_STEPS,
        {"cgan": _RING.replace(gan="cgan")},
        (_CGAN_COVERS,),
    )
)
register(
    Preset(
        "infogan-ring",
        "InfoGAN finds the modes without labels",
        "The collapse demo's settings and budget (use the same seed), without labels: "
        "InfoGAN feeds G a random code (one of 8) and has D's Q head guess it back from "
        "the generated point, so G must make the codes easy to tell apart. Watch the "
        "colours: each code ends on a Gaussian of its own, all 8 covered, with the modes and "
        "reverse KL of the best published mode-collapse figures for this benchmark "
        "reached at once (see docs/presets.md). Its hq near 100 % is above the 98.9 % the "
        "ring's own samples score: its blobs are narrower than the data's Gaussians, "
        "which is no better fit.",
        _RING_STEPS,
        {"infogan": _RING.replace(gan="infogan")},
        (_INFOGAN_COVERS, _INFOGAN_BEATS),
    )
)
register(
    Preset(
        "moons",
        "The lecture's double moon",
        "The slide's settings (z 32, one hidden layer of 128, batch 50, Adam 1e-3), GAN "
        "and InfoGAN with 2 codes. The GAN's samples take the shape of both moons: watch "
        "js fall to about 0.1 (two samples of the moons themselves score about 0.03). "
        "InfoGAN, with the same settings and seed, fits them worse (a higher js): its 2 "
        "codes (colours) are rewarded for being easy to tell apart, not for following "
        "the moons, and in most seeds each code takes a part of both moons, or shrinks "
        "into dense clumps, rather than one moon each. The practical's known weak spot: "
        "compare 'InfoGAN finds the modes without labels', where the modes are apart.",
        15_000,
        {g: RunConfig(target="moons", gan=g) for g in ("gan", "infogan")},
        (
            Claim("gan draws both moons: js ≤ 0.15", lambda rows: rows["gan"]["js"] <= 0.15),
            Claim(
                "infogan fits the moons worse than gan with the same seed (higher js)",
                lambda rows: rows["infogan"]["js"] > rows["gan"]["js"],
            ),
        ),
    )
)
register(
    Preset(
        "g-loss",
        "Saturating vs non-saturating G loss",
        "The slide's two generator losses side by side, with the collapse demo's "
        "settings and budget: a strong discriminator (5 D steps per G step), the "
        "situation the non-saturating loss was invented for. When D rejects G's samples "
        "with confidence, the saturating loss log(1 − D(G(z))) is flat and gives G "
        "almost no gradient: watch its samples stay smeared between and around the "
        "Gaussians, most of them off every Gaussian. The non-saturating −log D(G(z)) "
        "keeps pushing: most of its samples reach a Gaussian (though only a few of the "
        "Gaussians: it is the collapse demo's plain GAN).",
        _RING_STEPS,
        {loss: _RING.replace(loss=loss) for loss in ("minimax", "nonsaturating")},
        (
            Claim(
                "minimax: most samples off the Gaussians (hq < 0.5)",
                lambda rows: rows["minimax"]["hq"] < 0.5,
            ),
            Claim(
                "nonsaturating: most samples on a Gaussian (hq ≥ 0.6)",
                lambda rows: rows["nonsaturating"]["hq"] >= 0.6,
            ),
        ),
    )
)
# batch 200 (8 points per mode and batch, not 2), a faster D (2 steps per G step at lr
# 2e-3) and G averaged over its last ~2,000 steps: each InfoGAN code lands on a Gaussian
# of its own and stays sharp
_GRID = RunConfig(target="grid", batch=200, lr_d=2e-3, d_steps=2, ema=0.9995, z_dim=64)
"""z 64: with 32, InfoGAN leaves a few codes between Gaussians in some seeds, and a longer
budget does not fix it; with 64 every code finds a Gaussian."""
register(
    Preset(
        "grid",
        "The 25-mode grid",
        "The harder benchmark: 25 Gaussians on a 5×5 grid (spacing 2, std 0.05), GAN and "
        "InfoGAN with the same settings (z 64, batch 200, 2 D steps per G step at D lr 0.002, G "
        "averaged over its last ~2,000 steps). The plain GAN stretches its samples into a "
        "web between the Gaussians: most samples (typically three in four or more) land "
        "between them, "
        "and several modes get none. InfoGAN with 25 codes gives each code a Gaussian of "
        "its own: "
        "watch every mode take one colour and the high-quality share climb to nearly 1, "
        "above the 98.9 % the grid's own samples score: its blobs end narrower than the "
        "data's Gaussians, which is no better fit.",
        20_000,
        {g: _GRID.replace(gan=g) for g in ("gan", "infogan")},
        (
            Claim(
                "gan misses modes (< 25 covered) and most samples fall between the "
                "Gaussians (hq < 0.5)",
                lambda rows: rows["gan"]["modes"] < 25 and rows["gan"]["hq"] < 0.5,
            ),
            Claim(
                "infogan covers 25/25 modes with effective modes ≥ 22.5",
                covers("infogan", eff=0.9),
            ),
            Claim(
                "infogan passes the best published grid figures: 25/25 modes, hq > 0.948 "
                "(the grid's own samples: 0.989), rkl < 0.04",
                covers("infogan", hq=0.948 + 1e-9, rkl=0.04),
            ),
        ),
    )
)


# The slide's "Mode collapse on MNIST" on scikit-learn's 8×8 digits: two hidden layers of
# 256 (G ends in tanh), batch 64, Adam 1e-3; the plain GAN's D takes 5 steps per G step.
# The demo's seed is 1, a typical seed: InfoGAN's purity there is near its median over
# seeds (seed 0 is one of the few under the claim's 0.8)
_DIGITS = RunConfig(
    target="digits", z_dim=32, g_depth=2, g_width=256, d_depth=2, d_width=256, batch=64, seed=1
)
register(
    Preset(
        "collapse-digits",
        "Mode collapse on MNIST (8×8 digits)",
        "The slide's MNIST collapse, live, on scikit-learn's 8×8 digits. A plain GAN whose "
        "D takes 5 steps per G step makes only a few of the ten digits: watch its sheet "
        "fill with a handful of shapes and 'effective digits' stay near 4 (a classifier "
        "fitted on the real digits judges every sample). A conditional GAN, told which "
        "digit to draw, makes all ten, each row its label's digit (purity near 1). "
        "InfoGAN gets no labels, only 10 codes (λ 2): most codes take a digit of their "
        "own, found without being told.",
        3_000,
        {
            "gan": _DIGITS.replace(d_steps=5),
            "cgan": _DIGITS.replace(gan="cgan"),
            "infogan": _DIGITS.replace(gan="infogan", info_weight=2.0),
        },
        (
            Claim("gan collapses: effective digits ≤ 5 of 10", collapsed("gan")),
            Claim(
                "cgan covers 10/10 digits with purity ≥ 0.95",
                both(covers("cgan"), lambda rows: rows["cgan"]["purity"] >= 0.95),
            ),
            Claim(
                "infogan's codes follow the digits without labels: purity ≥ 0.8",
                lambda rows: rows["infogan"]["purity"] >= 0.8,
                share=0.8,
            ),
        ),
    )
)


_MITIGATION_STEPS = 4_000
"""A third of the collapse demo's budget, the same for every run: the Compare page trains
the four runs of a mitigation preset in one process, and on a free core within its 90 s
goal (docs/measurements.md)."""
_GAN_FEW = Claim("gan covers at most 5 of 8 modes", within("gan", "modes", hi=5))
_BETWEEN = "most samples still between the Gaussians"


def _against_collapse(kinds: tuple[str, ...]) -> dict[str, RunConfig]:
    """The collapse demo's plain GAN, then the same settings with each mitigation."""
    return {"gan": _RING, **{k: run_types.config(_RING, k) for k in kinds}}


register(
    Preset(
        "mitigations-ring",
        "Against collapse: PacGAN, minibatch std, spectral norm",
        "The collapse demo's plain GAN (5 D steps per G step, same seed) beside three "
        "remedies from the lecture, each the same GAN with one setting changed, all at "
        "4,000 steps (a third of the collapse demo's budget, to keep the wait short): "
        "PacGAN (D judges 2 samples at once, so a batch of near-copies is easy to "
        "reject), minibatch standard deviation (D also reads how spread out the batch is) "
        "and spectral normalisation (D's layers kept 1-Lipschitz). Watch 'effective "
        "modes': the plain GAN piles onto 2 or 3 of the 8 Gaussians (collapsed, effective "
        "modes ≤ 4, in most seeds). Every remedy keeps G's samples spread wider than the "
        "plain GAN with the same seed: spectral norm evenly over all 8 (effective modes "
        "near 8), PacGAN near 7, minibatch std near 5.7. None has sharpened them yet: at "
        "this budget most of their samples lie between the Gaussians (hq under 5 % for "
        "PacGAN and spectral norm, under 25 % for minibatch std), spread rather than "
        "sharp modes.",
        _MITIGATION_STEPS,
        _against_collapse(("pack2", "mbstd", "sn")),
        (
            _GAN_FEW,
            Claim(
                "pack2 spreads wider than gan (effective modes above gan's, same seed), "
                f"{_BETWEEN} (hq ≤ 0.25)",
                both(wider("pack2"), within("pack2", "hq", hi=0.25)),
            ),
            Claim(
                "mbstd spreads wider than gan (effective modes above gan's, same seed), "
                f"{_BETWEEN} (hq ≤ 0.25)",
                both(wider("mbstd"), within("mbstd", "hq", hi=0.25)),
            ),
            Claim(
                "sn spreads evenly over the ring (effective modes ≥ 7.5 of 8), almost no "
                "sample on a Gaussian yet (hq ≤ 0.05)",
                both(within("sn", "effective_modes", lo=7.5), within("sn", "hq", hi=0.05)),
            ),
        ),
    )
)
register(
    Preset(
        "mitigations-ring-2",
        "Against collapse: unrolled GAN, self-conditioned GAN",
        "The collapse demo's plain GAN (5 D steps per G step, same seed) beside two more "
        "remedies, all at 4,000 steps: the unrolled GAN (G's step is scored against a copy "
        "of D moved 5 steps ahead, so G cannot just hop to where D does not yet reject it) "
        "and the self-conditioned GAN (a cGAN whose labels are clusters of D's features of "
        "the real data, made anew every 500 steps; no labels given). Watch 'modes covered': "
        "the plain GAN piles onto 2 or 3 of the 8 Gaussians. The unrolled GAN does not help "
        "at these settings: it piles onto a few Gaussians as the plain GAN does (this "
        "unrolling is first-order, 5 plain gradient steps of D's copy; 10 did no better). "
        "The self-conditioned GAN covers more of the ring than the plain GAN in every seed, "
        "4 to 8 modes, typically 60 % of its samples on a Gaussian. Where its hq passes "
        "98.9 %, the score of the ring's own samples, its blobs are narrower than the "
        "data's Gaussians: no better fit.",
        _MITIGATION_STEPS,
        _against_collapse(("unroll5", "selfcond")),
        (
            _GAN_FEW,
            Claim(
                "unroll5 does not prevent the collapse at these settings: at most 5 of 8 "
                "modes covered, as gan",
                within("unroll5", "modes", hi=5),
            ),
            Claim(
                "selfcond covers more of the ring than gan (more modes covered and more "
                "effective modes, same seed)",
                both(wider("selfcond", key="modes"), wider("selfcond")),
            ),
        ),
    )
)


# The lecture's last chapter: DCGAN's rules on the digits. The same budget, seed and G
# and D learning rates for the three runs; the MLP is the digits collapse demo's nets.
_DCGAN = _DIGITS.replace(arch="dcgan", seed=0)
register(
    Preset(
        "dcgan-rules",
        "DCGAN's rules on the digits",
        "Convolutional nets that keep DCGAN's five rules (strided convolutions, batchnorm, "
        "no fully connected hidden layers, ReLU in G with Tanh out, LeakyReLU in D) beside "
        "the fully connected GAN of the digits demo and beside the same DCGAN without "
        "batchnorm, one budget and seed for all. Watch the sheets and 'recall': the DCGAN "
        "draws more of the real digits' variety than the fully connected GAN; without "
        "batchnorm it covers fewer digits, less evenly.",
        2000,
        {
            "dcgan": _DCGAN,
            "mlp": _DCGAN.replace(arch="mlp"),
            "dcgan-nobn": _DCGAN.replace(batchnorm="off"),
        },
        (
            Claim("dcgan covers 10/10 digits with effective digits ≥ 9", covers("dcgan", eff=0.9)),
            Claim(
                "dcgan's recall is above the fully connected GAN's (mlp)",
                lambda rows: rows["dcgan"]["recall"] > rows["mlp"]["recall"],
            ),
            Claim(
                "without batchnorm the DCGAN covers less: its effective digits and its "
                "coverage are below dcgan's",
                lambda rows: (
                    rows["dcgan-nobn"]["effective_modes"] < rows["dcgan"]["effective_modes"]
                    and rows["dcgan-nobn"]["coverage"] < rows["dcgan"]["coverage"]
                ),
            ),
        ),
    )
)
