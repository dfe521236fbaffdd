import torch

import gan_core  # noqa: F401  (first: sets MKL's reproducible mode before torch uses MKL)

# One thread, as the workers and the CLI run: a run's numbers are then the same alone and
# in a cohort (cohort.py)
torch.set_num_threads(1)
