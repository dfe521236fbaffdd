"""A judge for the digits target: a classifier fitted on the real 8×8 digits.

Mode collapse on a 2-D target is measured by the nearest mode centre (metrics.py); a
64-pixel image has no centre to be near, so a classifier decides which digit each
generated image shows, and how sure it is. From that come the same keys as
``metrics.mode_metrics`` (modes, hq, rkl, effective_modes, ...), and, for GANs that
draw a class or a categorical code per sample (cGAN, InfoGAN), how well that code
picks the digit (``code_table``, ``purity``). numpy and scikit-learn only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from gan_core.engine.metrics import mode_summary
from gan_core.engine.targets import digits_data

DIGITS = 10
PIXELS = 64
CONFIDENT = 0.9
# A digit counts as covered when at least this share of all samples are confident
# images of it: 1 %, so a stray confident sample or two (which any noisy generator
# produces now and then) does not make a digit "covered". 25 samples of 2,500.
COVER_SHARE = 0.01


@dataclass(frozen=True)
class Judge:
    """A fitted digit classifier and its accuracy on real digits it was not fitted on."""

    model: LogisticRegression
    accuracy: float

    def proba(self, x: np.ndarray) -> np.ndarray:
        """(n, 10) probability of each digit for n images of 64 pixels in [-1, 1].

        Pixels are clipped to [-1, 1] (a linear model must not extrapolate). A row
        with any non-finite pixel gets probability 1/10 for every digit: never
        confident, and its argmax is digit 0, as ``mode_metrics`` puts a NaN point in
        mode 0 and never counts it as high quality.
        """
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != PIXELS:
            raise ValueError(
                f"the judge takes images as an (n, {PIXELS}) array of 8×8 pixels, "
                f"got shape {x.shape}"
            )
        p = np.full((len(x), DIGITS), 1.0 / DIGITS)
        ok = np.isfinite(x).all(1)
        if ok.any():
            p[ok] = self.model.predict_proba(np.clip(x[ok], -1.0, 1.0))
        return p

    def metrics(
        self, fake: np.ndarray, codes: np.ndarray | None = None, confident: float = CONFIDENT
    ) -> dict:
        """The ``mode_metrics`` keys for generated digits, and the code table if codes.

        Each image's digit is the judge's most likely one (all images count towards
        ``mode_counts``, ``effective_modes``, ``rkl``); it is high quality when that
        probability is at least ``confident``. ``modes``: digits with confident images
        making up at least COVER_SHARE of the sample. ``rkl``: KL(p̂ ‖ uniform).
        ``collapsed``: effective_modes ≤ 5. With ``codes`` (each image's cGAN class or
        InfoGAN categorical code, ints ≥ 0): ``code_table`` (rows: code, columns:
        judged digit, counts) and ``purity``: the share of images whose digit is the
        most common one of their code (1: each code draws one digit; ~1/10: unrelated).
        """
        p = self.proba(fake)
        n = len(p)
        digit = p.argmax(1)
        high = p.max(1) >= confident
        out = mode_summary(digit, high, np.full(DIGITS, 1 / DIGITS), COVER_SHARE)
        if codes is not None:
            codes = np.asarray(codes)
            if codes.shape != (n,) or not np.issubdtype(codes.dtype, np.integer):
                raise ValueError(
                    f"codes must be one int per image, shape ({n},), "
                    f"got {codes.dtype} {codes.shape}"
                )
            if n and codes.min() < 0:
                raise ValueError("codes must be ≥ 0")
            table = np.zeros((int(codes.max()) + 1 if n else 0, DIGITS), dtype=np.int64)
            np.add.at(table, (codes, digit), 1)
            out["code_table"] = table.tolist()
            out["purity"] = float(table.max(1).sum() / n) if n else 0.0
        return out


def _fit() -> Judge:
    """Multinomial logistic regression on 3/4 of the digits, scored on the other 1/4.

    The pixels are already in [-1, 1], so no scaler: standardising blows up the
    border pixels that are almost always blank (std down to 0.003), and noise there
    then looks meaningful (with a StandardScaler, 82 % of uniform noise images are
    judged confident; without, 9 %).
    lbfgs converges in under 100 iterations here; max_iter leaves ample margin (no
    ConvergenceWarning). The model kept is the one fitted on the split, not a refit
    on all digits, so ``accuracy`` is the true held-out accuracy of the model in use.
    Deterministic: the split is seeded and lbfgs has no randomness.
    """
    x, y = digits_data()
    x_fit, x_test, y_fit, y_test = train_test_split(
        x, y, test_size=0.25, random_state=0, stratify=y
    )
    model = LogisticRegression(C=1.0, max_iter=1000, random_state=0).fit(x_fit, y_fit)
    return Judge(model=model, accuracy=float(model.score(x_test, y_test)))


@lru_cache(maxsize=1)
def judge() -> Judge:
    """The digits judge, fitted at first use (some 50 ms) and kept for the process."""
    return _fit()
