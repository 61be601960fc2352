"""Cluster group on a server without cluster support: every CLUSTER subcommand (KEYSLOT and HELP too) and the
cluster client commands READONLY, READWRITE and ASKING are refused with one error; arity and unknown subcommands
are checked first."""
from __future__ import annotations

import pytest

from forkdiff.types import simple

from .asserts import assert_error, assert_reply

DISABLED = "ERR This instance has cluster support disabled"

SUBCOMMANDS = [
    ("INFO",), ("MYID",), ("MYSHARDID",), ("NODES",), ("SLOTS",), ("SHARDS",), ("LINKS",), ("HELP",),
    ("KEYSLOT", "foo"), ("KEYSLOT", "{user1}.following"), ("KEYSLOT", ""), ("COUNTKEYSINSLOT", "1"),
    ("COUNTKEYSINSLOT", "not-a-slot"), ("GETKEYSINSLOT", "1", "1"), ("GETKEYSINSLOT", "x", "y"),
    ("ADDSLOTS", "1"), ("ADDSLOTSRANGE", "1", "2"), ("DELSLOTS", "1"), ("DELSLOTSRANGE", "1", "2"),
    ("FLUSHSLOTS",), ("SETSLOT", "1", "STABLE"), ("MEET", "127.0.0.1", "7000"), ("FORGET", "x"),
    ("REPLICATE", "x"), ("REPLICAS", "x"), ("SLAVES", "x"), ("COUNT-FAILURE-REPORTS", "x"), ("FAILOVER",),
    ("RESET",), ("SAVECONFIG",), ("BUMPEPOCH",), ("SET-CONFIG-EPOCH", "1"),
]


@pytest.mark.command("cluster")
@pytest.mark.parametrize("args", SUBCOMMANDS, ids=lambda a: " ".join(a) or "empty")
def test_cluster_subcommand_disabled(conn, args):
    assert_error(conn.call("CLUSTER", *args), DISABLED)


@pytest.mark.since("8.0")
def test_cluster_slot_stats_disabled(conn):
    assert_error(conn.call("CLUSTER", "SLOT-STATS", "SLOTSRANGE", "0", "10"), DISABLED)


def test_cluster_lowercase_subcommand_disabled(conn):
    assert_error(conn.call("cluster", "keyslot", "foo"), DISABLED)


def test_cluster_unknown_subcommand(conn):
    assert_error(conn.call("CLUSTER", "FOO"), "ERR unknown subcommand 'FOO'. Try CLUSTER HELP.")


def test_cluster_without_subcommand(conn):
    assert_error(conn.call("CLUSTER"), "ERR wrong number of arguments for 'cluster' command")


@pytest.mark.parametrize("args,name", [(("KEYSLOT",), "keyslot"), (("KEYSLOT", "a", "b"), "keyslot"),
                                       (("HELP", "x"), "help"), (("COUNTKEYSINSLOT",), "countkeysinslot")])
def test_cluster_wrong_arity(conn, args, name):
    assert_error(conn.call("CLUSTER", *args), f"ERR wrong number of arguments for 'cluster|{name}' command")


def test_cluster_inside_multi_fails_at_exec(conn):
    assert_reply(conn.call("MULTI"), simple("OK"))
    assert_reply(conn.call("CLUSTER", "INFO"), simple("QUEUED"))
    reply = conn.call("EXEC")
    assert len(reply.value) == 1
    assert_error(reply.value[0], DISABLED)


@pytest.mark.parametrize("name", ["READONLY", "READWRITE", "ASKING"])
def test_cluster_client_commands_disabled(conn, name):
    assert_error(conn.call(name), DISABLED)


@pytest.mark.command("readonly")
def test_readonly_wrong_arity(conn):
    assert_error(conn.call("READONLY", "x"), "ERR wrong number of arguments for 'readonly' command")


@pytest.mark.command("asking")
def test_asking_wrong_arity(conn):
    assert_error(conn.call("ASKING", "x"), "ERR wrong number of arguments for 'asking' command")
