"""Shared fixtures for the engine-level tests: an engine on a manual clock."""
from __future__ import annotations

import pytest

from reference_server.engine import Engine

START_MS = 1_700_000_000_000


def as_args(args) -> list[bytes]:
    return [a if isinstance(a, bytes) else str(a).encode() for a in args]


@pytest.fixture
def now():
    """The engine's clock, in ms: tests move time by assigning now[0]."""
    return [START_MS]


@pytest.fixture
def engine(now):
    return Engine(clock=lambda: now[0])


@pytest.fixture
def run(engine):
    """run(*args) executes one command (arguments as bytes or str) for one client; run.engine is the engine."""
    client = engine.new_client()

    def execute(*args):
        return engine.execute(client, as_args(args))

    execute.engine = engine
    execute.client = client
    return execute
