"""The container and hosting files: Dockerfile, .dockerignore, .streamlit/config.toml.

No Docker engine runs in CI, so the image is never built here. These tests check what can
be checked without one: hadolint, the Dockerfile's install step against the Makefile's,
the runtime settings (user, port, health check, threads), and that every Streamlit option
in config.toml is one the pinned Streamlit really has.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
MAKEFILE = ROOT / "Makefile"
DOCKERIGNORE = ROOT / ".dockerignore"
STREAMLIT_CONFIG = ROOT / ".streamlit" / "config.toml"

PORT = 8501
HEALTH_PATH = "/_stcore/health"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


# --- parsing helpers ---------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    instructions: list[tuple[str, str]] = []
    current = ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue  # comment lines are dropped even inside a continuation
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        keyword, _, args = current.partition(" ")
        instructions.append((keyword.upper(), args.strip()))
        current = ""
    assert not current, "Dockerfile ends inside a line continuation"
    return instructions


def exec_form(args: str) -> list[str]:
    """The JSON (exec) form of CMD/ENTRYPOINT/HEALTHCHECK CMD, as a list."""
    value = json.loads(args)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), args
    return value


def dockerfile_variables(instructions: list[tuple[str, str]], upto: int) -> dict[str, str]:
    """ENV and ARG values set before instruction number `upto` (both reach RUN's env)."""
    values: dict[str, str] = {}
    for keyword, args in instructions[:upto]:
        if keyword not in ("ENV", "ARG"):
            continue
        for token in shlex.split(args):
            name, sep, value = token.partition("=")
            if sep:
                values[name] = value
    return values


def pip_install_args(command: str) -> list[str] | None:
    """The arguments after `pip install` in a shell command, or None if it has none."""
    tokens = shlex.split(command)
    for i in range(len(tokens) - 1):
        if Path(tokens[i]).name in ("pip", "pip3") and tokens[i + 1] == "install":
            return tokens[i + 2 :]
    return None


def dockerfile_pip_installs() -> list[tuple[int, list[str]]]:
    """(instruction index, pip install args) for every pip install the Dockerfile runs."""
    found = []
    for index, (keyword, args) in enumerate(dockerfile_instructions()):
        if keyword != "RUN":
            continue
        for command in re.split(r"&&|;", args):
            install = pip_install_args(command)
            if install is not None:
                found.append((index, install))
    return found


def makefile_variables() -> dict[str, str]:
    """`NAME := value`, `NAME ?= value` and `NAME = value` assignments."""
    assignment = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*[:?]?=\s*(.*)$")
    return {
        m.group(1): m.group(2).strip()
        for line in MAKEFILE.read_text().splitlines()
        if (m := assignment.match(line))
    }


def expand_make(text: str, variables: dict[str, str]) -> str:
    for _ in range(10):  # variables refer to variables: PIP := $(PY) -m pip
        expanded = re.sub(r"\$\((\w+)\)", lambda m: variables.get(m.group(1), m.group(0)), text)
        if expanded == text:
            break
        text = expanded
    return text


def makefile_recipe(target: str) -> list[str]:
    """The recipe lines (tab-indented) of one Makefile target, variables expanded."""
    variables = makefile_variables()
    lines = MAKEFILE.read_text().splitlines()
    for i, line in enumerate(lines):
        if line.startswith(f"{target}:"):
            recipe = []
            for following in lines[i + 1 :]:
                if not following.startswith("\t"):
                    break
                recipe.append(expand_make(following.strip(), variables))
            return recipe
    raise AssertionError(f"no {target!r} target in the Makefile")


def makefile_app_install_args() -> list[str]:
    installs = [
        args
        for line in makefile_recipe("$(VENV)/.app-installed")
        if (args := pip_install_args(line)) is not None
    ]
    assert len(installs) == 1, f"expected one pip install in the app-install recipe: {installs}"
    return installs[0]


def dockerignore_patterns() -> list[str]:
    return [
        line.strip()
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


def dockerignore_regex(pattern: str) -> re.Pattern[str]:
    """Docker's pattern syntax: anchored at the context root, `*` and `?` stay within one
    path segment, `**` spans any number of segments."""
    out, i = "", 0
    glob = pattern.strip("/")
    while i < len(glob):
        if glob.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif glob.startswith("**", i):
            out, i = out + ".*", i + 2
        elif glob[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif glob[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(glob[i]), i + 1
    return re.compile(out)


def is_dockerignored(path: str, patterns: list[str]) -> bool:
    """The last matching pattern wins, `!` re-includes, and a path is excluded when it or
    one of its parent directories matches."""
    parts = path.strip("/").split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        regex = dockerignore_regex(pattern.lstrip("!"))
        if any(regex.fullmatch(c) for c in candidates):
            excluded = not negated
    return excluded


def flatten_toml(table: dict, prefix: str = "") -> dict[str, object]:
    """`{"server": {"port": 1}}` -> `{"server.port": 1}`; sub-tables become dotted."""
    flat: dict[str, object] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten_toml(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def streamlit_options() -> dict:
    """All options the installed Streamlit defines, without parsing any config file."""
    from streamlit import config

    template = getattr(config, "_config_options_template", None)
    return dict(template) if template else dict(config.get_config_options())


@pytest.fixture(scope="module")
def instructions() -> list[tuple[str, str]]:
    return dockerfile_instructions()


@pytest.fixture(scope="module")
def streamlit_config() -> dict:
    with STREAMLIT_CONFIG.open("rb") as fh:
        return tomllib.load(fh)


def last(instructions: list[tuple[str, str]], keyword: str) -> str:
    values = [args for kw, args in instructions if kw == keyword]
    assert values, f"the Dockerfile has no {keyword}"
    return values[-1]


# --- (a) hadolint ------------------------------------------------------------------------


def hadolint_binary() -> str | None:
    beside_python = Path(sys.executable).parent / "hadolint"
    if beside_python.is_file():
        return str(beside_python)
    return shutil.which("hadolint")


def test_hadolint_passes():
    binary = hadolint_binary()
    if binary is None:
        pytest.skip("hadolint is not installed (`make dev` installs it from requirements-dev.txt)")
    result = subprocess.run(
        [binary, "--no-color", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode == 0, f"hadolint:\n{result.stdout}{result.stderr}"


# --- (b) the image installs exactly what `make setup` installs ---------------------------


def test_dockerfile_pip_install_matches_makefile():
    make_args = makefile_app_install_args()
    assert "requirements.txt" in make_args, make_args
    installs = dockerfile_pip_installs()
    assert len(installs) == 1, f"expected one pip install in the Dockerfile: {installs}"
    _, docker_args = installs[0]
    assert docker_args == make_args


def test_docker_pip_takes_torch_from_the_cpu_index(instructions):
    (index, _), *_ = dockerfile_pip_installs()
    env = dockerfile_variables(instructions, index)
    indexes = (env.get("PIP_EXTRA_INDEX_URL", "") + " " + env.get("PIP_INDEX_URL", "")).split()
    assert CPU_INDEX in indexes, f"pip would pull torch's CUDA build: {env}"
    pins = (ROOT / "requirements.txt").read_text()
    assert re.search(r"^torch==[\d.]+\s*$", pins, re.M), "torch should be pinned exactly"


def test_requirements_are_copied_before_the_install_and_the_app_after(instructions):
    (install_index, _), *_ = dockerfile_pip_installs()
    copies = [(i, args.split()) for i, (kw, args) in enumerate(instructions) if kw == "COPY"]
    before = [srcs for i, srcs in copies if i < install_index]
    after = [srcs for i, srcs in copies if i > install_index]
    assert before == [["requirements.txt", "./"]], before
    copied_after = {src.rstrip("/") for srcs in after for src in srcs[:-1]}
    assert {"app.py", "serve.py", "gan_core", "ui", "app_pages", ".streamlit"} <= copied_after


def test_copied_paths_exist_and_are_not_dockerignored(instructions):
    patterns = dockerignore_patterns()
    sources = [
        src
        for kw, args in instructions
        if kw == "COPY"
        for src in args.split()[:-1]
        if not src.startswith("--")
    ]
    for src in sources:
        assert not is_dockerignored(src, patterns), f".dockerignore drops {src}"
    if not (ROOT / "app.py").exists():
        pytest.skip("app.py is not written yet, so the COPY sources cannot all exist")
    missing = [src for src in sources if not (ROOT / src).exists()]
    assert not missing, f"docker build would fail: COPY of missing {missing}"


# --- (c) runtime settings ----------------------------------------------------------------


def test_base_image_is_a_pinned_python_311_slim(instructions):
    image = last(instructions, "FROM").split()[0]
    assert re.fullmatch(r"python:3\.11\.\d+-slim(-\w+)?(@sha256:[0-9a-f]{64})?", image), image


def test_runs_as_a_non_root_user(instructions):
    user = last(instructions, "USER").split(":")[0]
    assert user not in ("root", "0"), user


def test_workdir_port_and_threads(instructions):
    assert last(instructions, "WORKDIR") == "/app"
    assert str(PORT) in last(instructions, "EXPOSE").split()
    env = dockerfile_variables(instructions, len(instructions))
    assert env.get("OMP_NUM_THREADS") == "1"


def test_cmd_serves_the_app_on_all_interfaces(instructions):
    cmd = exec_form(last(instructions, "CMD"))
    assert cmd[:5] == ["python", "-m", "streamlit", "run", "app.py"], cmd
    flags = dict(zip(cmd[5::2], cmd[6::2], strict=True))
    assert flags == {"--server.port": str(PORT), "--server.address": "0.0.0.0"}


def test_healthcheck_polls_streamlit_health_with_valid_python(instructions):
    healthcheck = last(instructions, "HEALTHCHECK")
    options, sep, command = healthcheck.partition("CMD ")
    assert sep, healthcheck
    assert "--timeout=" in options and "--start-period=" in options, options
    argv = exec_form(command)
    assert argv[:2] == ["python", "-c"], argv
    code = argv[2]
    compile(code, "<healthcheck>", "exec")  # a syntax error would only show at runtime
    assert f"http://localhost:{PORT}{HEALTH_PATH}" in code
    assert "timeout=" in code


# --- (d) .streamlit/config.toml ----------------------------------------------------------


def test_streamlit_config_is_set_for_hosting(streamlit_config):
    server = streamlit_config["server"]
    assert server["headless"] is True
    assert server["fileWatcherType"] == "none"
    assert server["runOnSave"] is False
    assert server.get("enableXsrfProtection", True) is True
    assert server.get("enableCORS", True) is True
    assert 0 < server["maxUploadSize"] <= 20
    assert streamlit_config["browser"]["gatherUsageStats"] is False
    assert streamlit_config["client"]["toolbarMode"] in ("viewer", "minimal")
    assert streamlit_config["theme"]["base"] == "light"
    # a full gc.collect after every 5-per-second fragment run cost 0.6 of a core
    assert streamlit_config["runner"]["postScriptGC"] is False


# Hidden options we set on purpose, each with its reason in config.toml.
DELIBERATE_HIDDEN_OPTIONS = {"runner.postScriptGC"}


def test_streamlit_config_keys_are_real_options(streamlit_config):
    options = streamlit_options()
    assert "server.headless" in options, "could not enumerate Streamlit's options"
    for key, value in flatten_toml(streamlit_config).items():
        assert key in options, f"{key} is not a Streamlit option"
        option = options[key]
        assert not option.deprecated, f"{key} is deprecated"
        if key not in DELIBERATE_HIDDEN_OPTIONS:
            assert option.visibility == "visible", f"{key} is an internal option"
        expected = option.type
        if expected is float:
            expected = (int, float)
        assert isinstance(value, expected) and not (
            isinstance(value, bool) and option.type is not bool
        ), f"{key} = {value!r}: Streamlit expects {option.type.__name__}"


# --- (e) .dockerignore -------------------------------------------------------------------


def test_dockerignore_keeps_the_context_small():
    patterns = dockerignore_patterns()
    for path in (".venv", ".git", "tests", "bench", "out", "x.gif", "a/__pycache__/m.pyc"):
        assert is_dockerignored(path, patterns), f".dockerignore should exclude {path}"
    assert not is_dockerignored(".streamlit/config.toml", patterns)
