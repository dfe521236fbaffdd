"""The torch engine: configs, targets, networks, losses, GAN types, training (one run or
a stacked cohort), metrics and snapshots. Pure torch, numpy and scikit-learn: no figures,
no processes, no streamlit; it imports nothing from the other rooms."""
