"""Lecture presets (filled in by the mode-collapse issue)."""


def add_parser(sub) -> None:
    """No presets yet."""
