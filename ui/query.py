"""The run configuration in the page's URL: open a link, get the same run."""

from __future__ import annotations

import streamlit as st

from gan_core.engine.config import ConfigError, RunConfig

NOT_CONFIG = {"present", "preset", "page", "layers", "diagram", "room", "key"}
"""Query keys that are page options, not run settings (layers: ui/view.layers_from_link;
diagram=1: the Playground's diagram on; room: the class's room, ui/joining.py; key: the
lecturer's, on the Class page)."""


def parse(flat: dict[str, str]) -> tuple[RunConfig, list[str]]:
    """Apply the query's settings one by one; bad ones are skipped and reported."""
    flat = {k: v for k, v in flat.items() if k not in NOT_CONFIG}
    errors = []
    try:
        return RunConfig.from_flat(flat), errors
    except ConfigError:
        pass
    good: dict[str, str] = {}
    target = flat.get("target")
    if target is not None:
        try:
            RunConfig.from_flat({"target": target})
            good["target"] = target
        except ConfigError as exc:
            errors.append(str(exc))
    for key, value in flat.items():
        if key == "target":
            continue
        try:
            RunConfig.from_flat({**good, key: value})
            good[key] = value
        except ConfigError as exc:
            errors.append(str(exc))
    return RunConfig.from_flat(good), errors


def config_from_url(key: str) -> RunConfig:
    """The link's configuration, read once per session; errors shown where the user looks."""
    state_key = f"{key}url_config"
    if state_key not in st.session_state:
        cfg, errors = parse(st.query_params.to_dict())
        st.session_state[state_key] = cfg
        st.session_state[f"{key}url_errors"] = errors
    for err in st.session_state.get(f"{key}url_errors", []):
        st.error(f"Link setting ignored — {err}. Using the default instead.")
    return st.session_state[state_key]


def link_params(config: RunConfig) -> dict[str, str]:
    """The query of a link to ``config``: the target and the settings that differ from
    its defaults."""
    base = RunConfig(target=config.target).to_flat()
    return {k: v for k, v in config.to_flat().items() if k == "target" or base.get(k) != v}


def write(config: RunConfig) -> None:
    """Put the settings that differ from the defaults into the URL."""
    wanted = link_params(config)
    keep = {k: v for k, v in st.query_params.to_dict().items() if k in NOT_CONFIG}
    if st.query_params.to_dict() != {**wanted, **keep}:
        st.query_params.from_dict({**wanted, **keep})
