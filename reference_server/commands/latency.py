"""LATENCY: the latency monitor (events over latency-monitor-threshold ms) and per-command latency histograms.

The monitor is off by default (threshold 0) as in Redis; when on, every command at or over the threshold adds a
sample to the "command" or "fast-command" event. Histograms (latency-tracking, on by default) bucket each call's
duration as Redis's HDR histogram does (powers of two from 1024 ns, reported in µs with cumulative counts).
CONFIG RESETSTAT empties them (see config_cmd).
"""
from __future__ import annotations

import time
from functools import lru_cache

from .. import errors
from ..engine import ENGINE_SETUP, SLOW_CALL_HOOKS
from ..errors import CommandError
from ..replies import Map, Verbatim
from . import command

HISTORY_LEN = 160
_DISABLED_REPORT = (
    "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG "
    "SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission "
    "I'd suggest to take a look at https://redis.io/docs/latest/operate/oss_and_stack/management/optimization/"
    "latency-monitor.\n")
_QUIET_REPORT = ("Dave, no latency spike was observed during the lifetime of this Redis instance, not in the "
                 "slightest bit. I honestly think you ought to sleep tonight.\n")


def events(engine) -> dict:
    """event name -> {"samples": [(unix s, ms)], "max": ms}"""
    return engine.extensions.setdefault("latency_events", {})


def histograms(engine) -> dict:
    """command name -> {duration in µs (under 1024) or ~bucket index: calls}"""
    return engine.extensions.setdefault("latency_histograms", {})


def _bucket(duration_us: int) -> int:
    """The HDR bucket (1024 ns << k, plus its 1/128 resolution) a duration falls in."""
    ns = max(duration_us * 1000, 1024)
    k = max((ns - 1).bit_length() - 10, 0)  # the first k with 1024 << k >= ns; bucket k - 1's top may hold it
    return k - 1 if k and ns <= _bucket_top_ns(k - 1) else k


_bucket_of = lru_cache(maxsize=4096)(_bucket)  # a call's duration in µs repeats: the arithmetic once per value


def _bucket_top_ns(k: int) -> int:
    return (1024 << k) + ((1024 << k) >> 7) - 1


def _settings(engine) -> dict:
    """latency-tracking and latency-monitor-threshold, followed through CONFIG SET rather than parsed per call:
    the engine keeps the histograms while tracking is on and calls `_observe` for calls at the threshold."""
    settings = engine.extensions.get("latency_settings")
    if settings is None:
        settings = engine.extensions["latency_settings"] = {}
        engine.latency_bucket = _bucket_of

        def on_config_set(name: str, value: str) -> None:
            if name == "latency-tracking":
                settings["tracking"] = value == "yes"
                engine.latency_histograms = histograms(engine) if settings["tracking"] else None
            elif name == "latency-monitor-threshold":
                settings["threshold"] = int(value)
                engine.slow_call_threshold("latency-monitor", settings["threshold"] * 1000 or None)

        for name in ("latency-tracking", "latency-monitor-threshold"):
            on_config_set(name, engine.config.get(name))
        engine.config.listeners.append(on_config_set)
    return settings


def _observe(engine, client, spec, argv: list[bytes], duration_us: int) -> None:
    """A call at or over latency-monitor-threshold (a slow-call hook): a sample of the command event."""
    if client.blocked is not None:
        return
    threshold = _settings(engine)["threshold"]
    if threshold and duration_us // 1000 >= threshold:
        _add_sample(engine, "fast-command" if "fast" in spec.flags else "command", duration_us // 1000)


def _add_sample(engine, event: str, ms: int) -> None:
    series = events(engine).setdefault(event, {"samples": [], "max": 0})
    now = int(time.time())
    samples = series["samples"]
    if samples and samples[-1][0] == now:  # one sample per second: the worst one stays
        samples[-1] = (now, max(samples[-1][1], ms))
    else:
        samples.append((now, ms))
    del samples[:-HISTORY_LEN]
    series["max"] = max(series["max"], ms)


SLOW_CALL_HOOKS.append(_observe)
ENGINE_SETUP.append(_settings)


@command("latency|latest")
def latency_latest(engine, client, argv):
    return [[name.encode(), s["samples"][-1][0], s["samples"][-1][1], s["max"]] for name, s in events(engine).items()]


@command("latency|history")
def latency_history(engine, client, argv):
    series = events(engine).get(argv[2].decode("utf-8", "surrogateescape"))
    return [[t, ms] for t, ms in series["samples"]] if series else []


@command("latency|reset")
def latency_reset(engine, client, argv):
    known = events(engine)
    names = list(known) if len(argv) == 2 else [a.decode("utf-8", "surrogateescape") for a in argv[2:]]
    return sum(known.pop(name, None) is not None for name in names)


@command("latency|doctor")
def latency_doctor(engine, client, argv):
    if not engine.config.get_int("latency-monitor-threshold"):
        return Verbatim(_DISABLED_REPORT.encode())
    return Verbatim(_QUIET_REPORT.encode())


@command("latency|graph")
def latency_graph(engine, client, argv):
    name = argv[2].decode("utf-8", "surrogateescape")
    if name not in events(engine):
        raise CommandError(errors.LATENCY_NO_SAMPLES % name)
    series = events(engine)[name]
    lines = [f"{name} - high {series['max']} ms, low {min(ms for _, ms in series['samples'])} ms"]
    return Verbatim(("\n".join(lines) + "\n").encode())


@command("latency|histogram")
def latency_histogram(engine, client, argv):
    recorded = histograms(engine)
    if len(argv) == 2:
        names = list(recorded)
    else:
        names = []
        for arg in argv[2:]:
            spec = engine.spec.get(arg.decode("utf-8", "surrogateescape"))
            if spec is not None:
                names += [spec.name, *spec.subcommands]
    return Map([(name.encode(), _distribution(recorded[name])) for name in dict.fromkeys(names) if name in recorded])


def _distribution(recorded: dict) -> Map:
    """The engine records a call under 1024 µs by its duration, a longer one by ~(its bucket) (one comparison on
    the hot path instead of the bucket's arithmetic): here each becomes its bucket."""
    buckets: dict[int, int] = {}
    for key, calls in list(recorded.items()):
        bucket = _bucket_of(key) if key >= 0 else ~key
        buckets[bucket] = buckets.get(bucket, 0) + calls
    cumulative, points = 0, []
    for k in sorted(buckets):
        cumulative += buckets[k]
        points.append((_bucket_top_ns(k) // 1000, cumulative))
    return Map([(b"calls", cumulative), (b"histogram_usec", Map(points))])


_HELP = [
    "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "DOCTOR",
    "    Return a human readable latency analysis report.",
    "GRAPH <event>",
    "    Return an ASCII latency graph for the <event> class.",
    "HISTORY <event>",
    "    Return time-latency samples for the <event> class.",
    "LATEST",
    "    Return the latest latency samples for all events.",
    "RESET [<event> ...]",
    "    Reset latency data of one or more <event> classes.",
    "    (default: reset all data for all event classes)",
    "HISTOGRAM [COMMAND ...]",
    "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
    "    If no commands are specified then all histograms are replied.",
    "HELP",
    "    Print this help.",
]


@command("latency|help")
def latency_help(engine, client, argv):
    return list(_HELP)
