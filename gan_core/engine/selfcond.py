"""The self-conditioned GAN's labels (``selfcond``, Liu et al. 2020).

A cGAN (gans.py) whose labels are not given: every RECLUSTER steps, k-means (k =
``codes``, 0: the target's classes; scikit-learn, ``random_state`` the run's seed) on
D's penultimate features of the whole real training set gives each real point a cluster,
and G and D are conditioned on it as a cGAN is on its class. D reads each point with its
current label (its one-hot input), as it does in training. Until the first clustering
every label is 0. The clustering is the run's own: its D, its data, its seed, at its
step counts, so its numbers are the same alone and in a cohort.

A run's streams (streams.py) hold draws made ahead with the labels of their time, so a
new clustering draws the run's blocks anew (cohort.py, ``Cohort._relabel``); a saved
run keeps its labels (modelfile.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.cluster import KMeans

if TYPE_CHECKING:
    from gan_core.engine.trainer import Trainer

RECLUSTER = 500
"""Steps between clusterings (the first at step RECLUSTER)."""


def due(t: Trainer) -> bool:
    """Whether the run clusters after this step."""
    return t.cfg.gan == "selfcond" and t.step_count % RECLUSTER == 0


@torch.no_grad()
def features(t: Trainer) -> np.ndarray:
    """D's penultimate features ``[n, D.n_features]`` of the real training points, each with
    its current label (with ``pack`` m, m copies side by side, as D's views read it)."""
    m = t.model
    x = m.d_in(t.data_x, F.one_hot(t.cond_y, m.n_cond).float())
    if m.pack > 1:
        x = x.repeat(1, m.pack)
    return m.D.features(x)[:, : m.D.n_features].numpy()


def clusters(t: Trainer) -> np.ndarray:
    """Each real point's cluster: k-means on ``features``, seeded by the run's seed."""
    k = t.model.n_cond
    km = KMeans(n_clusters=k, n_init=3, random_state=t.cfg.seed)
    return km.fit_predict(features(t).astype(np.float64))


def recluster(t: Trainer) -> None:
    """The run's labels ← ``clusters`` (in place: its streams read the same tensor)."""
    t.cond_y.copy_(torch.from_numpy(clusters(t)))
