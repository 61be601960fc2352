"""Cluster group on a server started without cluster support (cluster-enabled no, as this one always is).

Redis 8.2 refuses every CLUSTER subcommand there, KEYSLOT and HELP included, and the cluster client commands
READONLY, READWRITE and ASKING with the same error. Unknown subcommands and wrong arities are refused earlier,
by the engine, from the command table, exactly as Redis does before reaching its cluster check.
"""
from __future__ import annotations

from .. import errors
from ..replies import Err
from . import command

CLUSTER_SUBCOMMANDS = (
    "addslots", "addslotsrange", "bumpepoch", "count-failure-reports", "countkeysinslot", "delslots",
    "delslotsrange", "failover", "flushslots", "forget", "getkeysinslot", "help", "info", "keyslot", "links",
    "meet", "myid", "myshardid", "nodes", "replicas", "replicate", "reset", "saveconfig", "set-config-epoch",
    "setslot", "shards", "slaves", "slot-stats", "slots",
)


@command(*(f"cluster|{sub}" for sub in CLUSTER_SUBCOMMANDS), "readonly", "readwrite", "asking")
def cluster_disabled(engine, client, argv):
    return Err(errors.CLUSTER_DISABLED)
