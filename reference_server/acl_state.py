"""The server's ACL state (users, the ACL log) and how the engine and AUTH/HELLO consult it.

The state is made on first use (ACL command, AUTH with a user name): until then only the default user exists, with
every permission and requirepass as its password, so the engine skips permission checks entirely; later it checks only the commands of users in `limited`. Once made, it
lives in engine.extensions["acl"]; engine.extensions["acl_users"] maps user names to users (CLIENT KILL USER and
CLIENT LIST filters read the names).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from . import acl
from .replies import Err

LOG_MAX_LEN = 128  # acllog-max-len
LOG_GROUPING_MS = 60_000  # a denial this close to a like one only bumps its count
LOG_SCAN = 10  # how many recent entries Redis compares a new denial with
_REASONS = {acl.DENIED_CMD: "command", acl.DENIED_KEY: "key", acl.DENIED_CHANNEL: "channel",
            acl.DENIED_AUTH: "auth"}


@dataclass
class LogEntry:
    count: int
    reason: str
    context: str
    object: bytes
    username: bytes
    client_info: str
    entry_id: int
    created_ms: int
    updated_ms: int

    def same_event(self, other: "LogEntry") -> bool:
        return (self.reason, self.context, self.object, self.username) == \
            (other.reason, other.context, other.object, other.username) and \
            abs(self.updated_ms - other.updated_ms) <= LOG_GROUPING_MS


@dataclass
class AclState:
    table: acl.CommandTable
    users: dict[str, acl.User]
    log: list[LogEntry] = field(default_factory=list)  # newest first
    next_entry_id: int = 0
    limited: frozenset = frozenset()  # names of users lacking some permission: only their commands are checked
    on_refresh: Callable[[], None] = lambda: None  # the engine looks again at its pre-call checks

    def user(self, name: bytes) -> acl.User | None:
        return self.users.get(name.decode("utf-8", "surrogateescape"))

    def store(self, user: acl.User) -> None:
        self.users[user.name.decode("utf-8", "surrogateescape")] = user
        self.refresh()

    def refresh(self) -> None:
        self.limited = frozenset(name for name, u in self.users.items() if not u.unrestricted)
        self.on_refresh()

    def default_login(self) -> bool:
        """A new connection starts logged in as default when that user needs no password and is on."""
        default = self.users["default"]
        return default.nopass and default.enabled

    def check(self, engine, client, spec, argv: list[bytes]) -> Err | None:
        return check_command(engine, client, spec, argv)

    def add_log(self, entry: LogEntry) -> None:
        for i, old in enumerate(self.log[:LOG_SCAN]):
            if old.same_event(entry):
                old.count += 1
                old.client_info, old.updated_ms = entry.client_info, entry.updated_ms
                self.log.insert(0, self.log.pop(i))
                return
        entry.entry_id = self.next_entry_id
        self.next_entry_id += 1
        self.log.insert(0, entry)
        del self.log[LOG_MAX_LEN:]


def state(engine) -> AclState:
    """The ACL state, made on first use from requirepass; CONFIG SET requirepass then updates the default user."""
    current = engine.extensions.get("acl")
    if current is None:
        table = acl.command_table(engine.spec)
        users = {"default": acl.default_user(table, engine.config.requirepass)}
        current = AclState(table, users, on_refresh=engine.refresh_prechecks)
        engine.extensions["acl"], engine.extensions["acl_users"] = current, users

        def on_config_set(name: str, value: str) -> None:
            if name == "requirepass":
                acl.set_password(current.users["default"], value)

        engine.config.listeners.append(on_config_set)
    return current


# -- logging in ----------------------------------------------------------------------------------------------
def credentials_ok(engine, username: bytes, password: bytes) -> bool:
    if "acl" not in engine.extensions and username == b"default":
        required = engine.config.requirepass
        return not required or password == required.encode("utf-8", "surrogateescape")
    user = state(engine).user(username)
    return user is not None and user.password_ok(password)


def default_nopass(engine) -> bool:
    """AUTH <password> is refused while the default user needs no password."""
    if "acl" not in engine.extensions:
        return not engine.config.requirepass
    return state(engine).users["default"].nopass


def default_login(engine) -> bool:
    """Whether a new (or RESET) connection is logged in as default without AUTH."""
    if "acl" not in engine.extensions:
        return not engine.config.requirepass
    return state(engine).default_login()


def log_failed_auth(engine, client, username: bytes, command: bytes) -> None:
    _log(engine, client, acl.DENIED_AUTH, command, username, command.decode("utf-8", "surrogateescape").lower())


# -- the permission check ------------------------------------------------------------------------------------
def check_command(engine, client, spec, argv: list[bytes]) -> Err | None:
    """NOPERM when the client's user may not run this command line (logged in the ACL log), else None."""
    acls = engine.extensions["acl"]
    user = acls.users.get(client.user)
    if user is None or user.unrestricted:
        return None
    denial = acl.check_user(user, spec, argv, lambda: _key_refs(spec, argv))
    if denial is None:
        return None
    reason, index = denial
    obj = spec.name.encode() if reason == acl.DENIED_CMD else argv[index]
    _log(engine, client, reason, obj, user.name, spec.name, argv)
    return Err("NOPERM " + denial_message(reason, user, spec, argv[index], verbose=False))


def denial_message(reason: int, user: acl.User, spec, value: bytes, *, verbose: bool) -> str:
    name = user.name.decode("utf-8", "surrogateescape")
    if reason == acl.DENIED_CMD:
        return f"User {name} has no permissions to run the '{spec.name}' command"
    what = "key" if reason == acl.DENIED_KEY else "channel"
    if verbose:
        return f"User {name} has no permissions to access the '{value.decode('utf-8', 'surrogateescape')}' {what}"
    return f"No permissions to access a {what}"


def _key_refs(spec, argv: list[bytes]):
    from .commands.getkeys import _from_specs  # the same key search COMMAND GETKEYSANDFLAGS uses
    return _from_specs(spec, argv)


def _log(engine, client, reason: int, obj: bytes, username: bytes, command: str, argv: list[bytes] = ()) -> None:
    from .commands.client_info import info_line
    client.last_command = command  # Redis has already made the refused command the client's last one
    now = engine.now_ms()
    info = info_line(engine, client, client, list(argv))
    context = "multi" if client.in_multi else "toplevel"
    state(engine).add_log(LogEntry(1, _REASONS[reason], context, obj, username, info, 0, now, now))
