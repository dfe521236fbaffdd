"""The self-conditioned GAN (``selfcond``) in an exported notebook: its clusters.

A cGAN whose labels are the clusters of D's penultimate features of the real data, as
the engine makes them (selfcond.py): every RECLUSTER steps k-means (scikit-learn,
``random_state`` the run's seed) on the features of the whole training set, each sample
read with its current label; all labels 0 until the first clustering. The cGAN's code
(notebook_loop.py, notebook_figures.py) reads ``CLUSTERS`` where it reads ``Y``.
"""

from __future__ import annotations

from gan_core import notebook_mitigations as M
from gan_core.engine import selfcond
from gan_core.engine.config import RunConfig


def on(cfg: RunConfig) -> bool:
    return cfg.gan == "selfcond"


def labels(cfg: RunConfig) -> str:
    """The tensor of each real sample's label G and D are conditioned on."""
    return "CLUSTERS" if on(cfg) else "Y"


def setup(cfg: RunConfig) -> list[str]:
    return [f"RECLUSTER = {selfcond.RECLUSTER}  # steps between clusterings of D's features"]


def networks(cfg: RunConfig) -> list[str]:
    """The number of clusters, before the networks that read them."""
    return [f"N_CLUSTERS = {cfg.n_codes}  # the labels G and D are conditioned on", ""]


def markdown(cfg: RunConfig) -> str:
    return (
        "## Clusters\n\nEvery RECLUSTER steps, k-means groups the real samples into "
        "N_CLUSTERS clusters by D's penultimate features (D_body's output, each sample read "
        "with its current label), and each sample's cluster becomes its label. Until the "
        "first clustering every label is 0: a GAN with a constant extra input."
    )


def code(cfg: RunConfig) -> str:
    features = "D_body(planes(rows))" if cfg.arch == "dcgan" else "D_body(rows)"
    rows = "torch.cat([X, F.one_hot(CLUSTERS, N_CLUSTERS).float()], 1)"
    if M.packs(cfg):
        rows += "\n    rows = rows.repeat(1, PACK)  # each sample with PACK - 1 copies of itself"
    return f'''CLUSTERS = torch.zeros(len(X), dtype=torch.long)  # each real sample's cluster


def recluster():
    """Each real sample's cluster: k-means on D's features of the training set."""
    rows = {rows}
    with torch.no_grad():
        features = {features}
    kmeans = KMeans(n_clusters=N_CLUSTERS, n_init=3, random_state=SEED)
    return torch.from_numpy(kmeans.fit_predict(features.double().numpy())).long()'''


def loop(cfg: RunConfig) -> list[str]:
    """After each step: the new clusters when they are due."""
    return [
        "    if step % RECLUSTER == 0:  # new labels: the clusters of D's features",
        "        CLUSTERS = recluster()",
        "        sizes = torch.bincount(CLUSTERS, minlength=N_CLUSTERS).tolist()",
        '        print(f"step {step}: new clusters of {sizes} samples")',
    ]
