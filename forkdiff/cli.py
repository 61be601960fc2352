"""The `forkdiff` command line."""
from __future__ import annotations

import argparse
import signal
import sys
import time
from typing import Callable

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port out of range 0-65535: {port}")
    return port


def cmd_serve(args: argparse.Namespace) -> int:
    from reference_server.config import Config
    from reference_server.engine import Engine
    from reference_server.runtimes import server_class
    from reference_server.startup import StartupError, load
    try:
        cls = server_class(args.runtime)
    except ValueError as exc:
        print(f"forkdiff serve: {exc}", file=sys.stderr)
        return 2
    config = Config()
    try:
        startup = load(_redis_options(args), config)
    except StartupError as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    for name in startup.not_modelled:
        print(f"forkdiff serve: accepted '{name}', which the reference does not model", file=sys.stderr)
    host, port = config.get("bind").split()[0].lstrip("-"), config.get_int("port")
    stop_requested: list[int] = []

    def request_stop(signum, frame):  # only a flag: whatever the main thread is doing, it finishes it first
        stop_requested.append(signum)

    # Installed before the port is printed, so a signal sent as soon as the port is known is never missed.
    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    engine = Engine(config=config)
    server = cls(host, port, engine=engine)
    try:
        try:
            server.start()
        except OSError as exc:
            print(f"forkdiff serve: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        if startup.replicaof is not None:
            from reference_server.replication import start_replica
            start_replica(engine, *startup.replicaof)
        print(f"forkdiff reference server ({server.name}) listening on {server.address[0]}:{server.address[1]}",
              flush=True)
        print(f"port {server.address[1]}", flush=True)
        while not stop_requested and server._thread is not None and server._thread.is_alive():
            time.sleep(0.2)
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def _redis_options(args: argparse.Namespace) -> list[str]:
    """redis-server's own arguments: the config file and options as given, then --host/--port, which win."""
    options = list(args.redis_options)
    if args.host is not None:
        options += ["--bind", args.host]
    if args.port is not None:
        options += ["--port", str(args.port)]
    return options


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="forkdiff", description="How compatible are Redis-protocol servers?")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    p = sub.add_parser("serve", help="run the reference server until SIGINT/SIGTERM", allow_abbrev=False,
                       usage="%(prog)s [CONFIG_FILE] [--runtime NAME] [--port N] [--NAME VALUE ...]",
                       description="Start the reference server as redis-server starts: an optional redis.conf "
                                   "file, then any --NAME VALUE that Redis accepts (--requirepass, --maxmemory, "
                                   "--enable-debug-command, --replicaof HOST PORT...).")
    p.add_argument("--host", default=None, help="address to listen on (the same as --bind; default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=None, help="0 picks a free port (default 6379)")
    p.add_argument("--runtime", default="reactor", help="concurrency model (default reactor)")
    p.set_defaults(redis_options=[])
    p.set_defaults(func=cmd_serve)
    for register in _EXTENSIONS:
        register(sub)
    return ap


# Other modules add their subcommands here: fn(subparsers) -> None, each setting `func`.
_EXTENSIONS: list[Callable[[argparse._SubParsersAction], None]] = []


def _load_extensions() -> None:
    import importlib
    if _EXTENSIONS:  # main() called again in the same process
        return
    for name in ("adapters.cli", "fuzz.cli", "fuzz.concurrency_cli", "results.cli"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        _EXTENSIONS.append(module.register)


def main(argv: list[str] | None = None) -> int:
    _load_extensions()
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        if getattr(args, "func", None) is not cmd_serve:
            parser.error("unrecognized arguments: " + " ".join(extra))
        args.redis_options = extra
    try:
        rc = args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        rc = 130
    if argv is None or rc:
        sys.exit(rc)
    return rc


if __name__ == "__main__":
    main()
