"""The server's one Runner, and this browser session's runs."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from gan_core.live.handle import SETTABLE, JobHandle
from gan_core.live.runner import Runner

_OPEN: dict[str, Callable[[], bool]] = {}
"""Browser sessions that ran a page (session id → is it still connected?)."""


def note_page() -> None:
    """Count this browser session among the open pages (see ``open_pages``)."""
    ctx = _script_ctx()
    if ctx is not None and ctx.session_id not in _OPEN:
        _OPEN[ctx.session_id] = _session_alive() or (lambda: True)


def open_pages() -> int:
    """How many browser sessions are connected and have run a page: a class has its
    pages open before anyone presses Train, so the pages' frame rate can be chosen for
    the load to come (ui/live.py) rather than changed under every page a second later."""
    for session_id, alive in list(_OPEN.items()):
        if not alive():
            _OPEN.pop(session_id, None)
    return len(_OPEN)


@st.cache_resource
def runner() -> Runner:
    """Created once per server: starts the warm spare worker right away."""
    return Runner()


def job(name: str) -> JobHandle | None:
    handle = st.session_state.get(f"job:{name}")
    if handle is not None and handle.state in ("stopped",):
        return None
    return handle


def _script_ctx():
    """The running script's context (its browser session), or None outside a script."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
    except ImportError:
        return None
    return get_script_run_ctx()


def _session_alive():
    """A check the reaper can call: is this browser session still connected?"""
    try:
        from streamlit.runtime import Runtime

        ctx = _script_ctx()
        if ctx is None or not Runtime.exists():
            return None
        runtime, session_id = Runtime.instance(), ctx.session_id
        return lambda: runtime.is_active_session(session_id)
    except (ImportError, AttributeError, RuntimeError):
        return None  # unknown: the idle timeout still ends the run


def start(name: str, config, paused: bool = False, **opts) -> JobHandle:
    """A new run (ending this name's previous one); ``opts`` e.g. max_steps."""
    stop(name)
    handle = runner().submit(config, paused=paused, alive=_session_alive(), **opts)
    st.session_state[f"job:{name}"] = handle
    st.session_state[f"sent:{handle.id}"] = {k: v for k, v in opts.items() if k in SETTABLE}
    return handle


def send_changes(handle: JobHandle | None, wanted: dict) -> dict:
    """``handle.set`` the settings in ``wanted`` that differ from what it was last sent."""
    if handle is None:
        return {}
    sent = st.session_state.setdefault(f"sent:{handle.id}", {})
    changes = {k: v for k, v in wanted.items() if k not in sent or sent[k] != v}
    if changes:
        handle.set(**changes)
        sent.update(changes)
    return changes


def stop(name: str) -> None:
    handle = st.session_state.pop(f"job:{name}", None)
    if handle is not None:
        handle.stop()


def group(name: str) -> dict[str, JobHandle]:
    """This session's runs started together under ``name`` (label → handle), or {}.

    Runs the reaper ended (their page went unwatched) count as none, as in ``job``.
    """
    runs = st.session_state.get(f"group:{name}") or {}
    return {} if all(h.state == "stopped" for h in runs.values()) else runs


def start_group(name: str, configs: dict, paused: bool = False, **opts) -> dict[str, JobHandle]:
    """Runs that share one slot of the runner's cap and start at the same moment."""
    stop_group(name)
    handles = runner().submit_group(
        list(configs.values()), paused=paused, alive=_session_alive(), **opts
    )
    runs = dict(zip(configs, handles, strict=True))
    st.session_state[f"group:{name}"] = runs
    return runs


def stop_group(name: str) -> None:
    for handle in (st.session_state.pop(f"group:{name}", None) or {}).values():
        handle.stop()


def start_many(name: str, configs: list, **opts) -> list[JobHandle]:
    """Runs that each take a place of the cap and queue on their own (a sweep's cells)."""
    stop_many(name)
    alive = _session_alive()
    handles = [runner().submit(config, alive=alive, **opts) for config in configs]
    st.session_state[f"many:{name}"] = handles
    return handles


def stop_many(name: str) -> None:
    for handle in st.session_state.pop(f"many:{name}", None) or []:
        handle.stop()
