"""Pub/sub group: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PUBLISH, SPUBLISH and PUBSUB's introspection subcommands.

The tables and the delivery live in ``reference_server/pubsub.py``; these handlers parse and reply.
"""
from __future__ import annotations

from .. import errors
from .. import pubsub as ps
from ..replies import Err
from . import command

HELP = [
    "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CHANNELS [<pattern>]",
    "    Return the currently active channels matching a <pattern> (default: '*').",
    "NUMPAT",
    "    Return number of subscriptions to patterns.",
    "NUMSUB [<channel> ...]",
    "    Return the number of subscribers for the specified channels, excluding",
    "    pattern subscriptions(default: no channels).",
    "SHARDCHANNELS [<pattern>]",
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    "SHARDNUMSUB [<shardchannel> ...]",
    "    Return the number of subscribers for the specified shard level channel(s)",
    "HELP",
    "    Print this help.",
]

_SUBSCRIBERS = {"subscribe": ps.CHANNELS, "psubscribe": ps.PATTERNS, "ssubscribe": ps.SHARD_CHANNELS}
_UNSUBSCRIBERS = {"unsubscribe": ps.CHANNELS, "punsubscribe": ps.PATTERNS, "sunsubscribe": ps.SHARD_CHANNELS}


def _command_name(argv: list[bytes]) -> str:
    return argv[0].decode("utf-8", "surrogateescape").lower()


@command(*_SUBSCRIBERS)
def subscribe(engine, client, argv):
    name = _command_name(argv)
    # A client that expects exactly one reply per command cannot take a confirmation per channel (EXEC may).
    if "deny_blocking" in client.flags and not client.in_multi:
        return Err(errors.SUBSCRIBE_DENY_BLOCKING % name.upper())
    return ps.subscribe(engine, client, _SUBSCRIBERS[name], argv[1:])


@command(*_UNSUBSCRIBERS)
def unsubscribe(engine, client, argv):
    return ps.unsubscribe(engine, client, _UNSUBSCRIBERS[_command_name(argv)], argv[1:])


@command("publish")
def publish(engine, client, argv):
    return ps.publish(engine, argv[1], argv[2])


@command("spublish")
def spublish(engine, client, argv):
    return ps.shard_publish(engine, argv[1], argv[2])


# -- PUBSUB ---------------------------------------------------------------------------------------------------------
def _optional_pattern(argv: list[bytes], subcommand: str) -> bytes | None:
    if len(argv) > 3:
        return Err(errors.SUBCOMMAND_SYNTAX % (subcommand, "PUBSUB"))
    return argv[2] if len(argv) == 3 else None


def _active(engine, argv, ns: ps.Namespace):
    pattern = _optional_pattern(argv, argv[1].decode("utf-8", "surrogateescape"))
    if type(pattern) is Err:
        return pattern
    return ps.active_names(engine, ns, pattern)


def _counts(engine, argv, ns: ps.Namespace) -> list:
    reply: list = []
    for name in argv[2:]:
        reply += [name, ps.subscriber_count(engine, ns, name)]
    return reply


def _namespace(argv: list[bytes]) -> ps.Namespace:
    """SHARDCHANNELS and SHARDNUMSUB ask about shard channels; CHANNELS and NUMSUB about plain ones."""
    return ps.SHARD_CHANNELS if argv[1].lower().startswith(b"shard") else ps.CHANNELS


@command("pubsub|channels", "pubsub|shardchannels")
def pubsub_channels(engine, client, argv):
    return _active(engine, argv, _namespace(argv))


@command("pubsub|numsub", "pubsub|shardnumsub")
def pubsub_numsub(engine, client, argv):
    return _counts(engine, argv, _namespace(argv))


@command("pubsub|numpat")
def pubsub_numpat(engine, client, argv):
    return ps.pattern_count(engine)


@command("pubsub|help")
def pubsub_help(engine, client, argv):
    return list(HELP)
