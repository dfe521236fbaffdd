"""The GAN Lab engine: targets, GAN types, losses, trainer, metrics. Never imports streamlit."""

import os

# MKL's matrix products may round differently depending on where in memory a matrix
# starts; a run's slice of a stacked tensor (cohort.py) starts elsewhere than the same
# run's tensor alone. Strict conditional numerical reproducibility makes the results
# independent of that, so a seed gives the same numbers alone or in company. MKL reads
# this when it is first used, which is after this import in every entry point.
os.environ.setdefault("MKL_CBWR", "AUTO,STRICT")
