"""The GitHub workflows: valid (actionlint), without known weaknesses (zizmor), and running the README's commands."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yml"))


def _tool(name: str) -> str:
    """The tool from the dev extra (beside this interpreter in a virtual environment) or on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (it comes with the dev extra: bash scripts/setup.sh)")
    return found


def test_there_are_workflows_for_pull_requests_and_the_nightly_campaign():
    assert {f.stem for f in FILES} >= {"tests", "nightly"}


def test_actionlint_finds_nothing():
    proc = subprocess.run([_tool("actionlint"), *map(str, FILES)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_zizmor_finds_nothing():
    proc = subprocess.run([_tool("zizmor"), "--offline", "--no-progress", str(WORKFLOWS)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings" in proc.stdout + proc.stderr


def test_every_action_is_pinned_by_commit():
    uses = [u for f in FILES for u in re.findall(r"uses:\s*(\S+)", f.read_text())]
    assert uses and all(re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", u) for u in uses), uses


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    return re.findall(r"^    (bash scripts/setup\.sh && .+)$", readme, flags=re.M)


def test_pull_requests_run_the_readme_test_command():
    commands = _readme_commands()
    assert "bash scripts/setup.sh && bash scripts/test.sh" in commands
    assert "run: bash scripts/setup.sh && bash scripts/test.sh" in (WORKFLOWS / "tests.yml").read_text()


def test_the_nightly_calls_the_commands_the_readme_shows():
    nightly = (WORKFLOWS / "nightly.yml").read_text()
    run_command = next(c for c in _readme_commands() if "forkdiff run" in c).split(" && ")[1]
    assert f"{run_command} --pull" in nightly
    for command in ("forkdiff fuzz --pull", "--shard \"$shard/$SHARDS\"", "--database redis://",
                    "forkdiff fuzz merge", "forkdiff report --record"):
        assert command in nightly, command
