"""The GAN Lab engine: targets, GAN types, losses, trainer, metrics. Never imports streamlit."""
