"""ACL group: SETUSER, GETUSER, DELUSER, USERS, LIST, WHOAMI, CAT, GENPASS, DRYRUN, LOG, SAVE, LOAD, HELP.

The rules themselves live in ..acl, the users and the log in ..acl_state. There is no ACL file here (Redis is run
without `aclfile`), so SAVE and LOAD refuse as Redis does then.
"""
from __future__ import annotations

import secrets

from .. import acl, errors
from ..acl_state import denial_message, state
from ..errors import CommandError
from ..replies import OK, Double, Err, Map, RSet
from ..util import as_text, c_string, string2ll
from . import command

GENPASS_MAX_BITS = 4096


@command("acl|setuser")
def acl_setuser(engine, client, argv):
    name = argv[2]
    if acl.has_spaces(name):
        raise CommandError(errors.ACL_USERNAME_SPACES)
    ops = acl.merge_selectors(argv[3:])
    if isinstance(ops, int):
        raise CommandError(errors.ACL_UNMATCHED_PARENTHESIS % as_text(argv[3 + ops]))
    acls = state(engine)
    existing = acls.user(name)
    staged = acl.copy_user(existing) if existing is not None else acl.User(name)
    for op in ops:  # every rule is tried on a copy: one bad rule changes nothing
        try:
            staged.apply(op, acls.table)
        except acl.RuleError as exc:
            raise CommandError(errors.ACL_SETUSER_MODIFIER % (as_text(op), exc)) from None
    acls.store(staged)
    return OK


@command("acl|deluser")
def acl_deluser(engine, client, argv):
    names = argv[2:]
    if b"default" in names:
        raise CommandError(errors.ACL_DELETE_DEFAULT)
    acls = state(engine)
    deleted = 0
    for name in names:
        if acls.users.pop(as_text(name), None) is not None:
            deleted += 1
            _close_clients_of(engine, client, as_text(name))
    acls.refresh()
    return deleted


def _close_clients_of(engine, caller, username: str) -> None:
    """Connections logged in as a deleted user are closed (the caller after its reply)."""
    from .client import disconnect
    for other in list(engine.clients.values()):
        if other.user != username:
            continue
        if other is caller:
            caller.close_after_reply = True
        else:
            disconnect(engine, other)


@command("acl|getuser")
def acl_getuser(engine, client, argv):
    user = state(engine).user(argv[2])
    if user is None:
        return None
    fields = [(b"flags", RSet(f.encode() for f in user.flags())),
              (b"passwords", [p.encode() for p in user.passwords]),
              *_selector_fields(user.root),
              (b"selectors", [Map(_selector_fields(s)) for s in user.selectors[1:]])]
    return Map(fields)


def _selector_fields(selector: acl.Selector) -> list[tuple[bytes, bytes]]:
    return [(b"commands", selector.command_rules().encode()), (b"keys", _bytes(selector.key_rules())),
            (b"channels", _bytes(selector.channel_rules()))]


@command("acl|users")
def acl_users(engine, client, argv):
    return [user.name for user in _sorted_users(engine)]


@command("acl|list")
def acl_list(engine, client, argv):
    return [b"user " + user.name + b" " + _bytes(user.describe()) for user in _sorted_users(engine)]


def _sorted_users(engine) -> list[acl.User]:
    """Redis keeps users in a radix tree: they come out in byte order of their names."""
    return sorted(state(engine).users.values(), key=lambda u: u.name)


@command("acl|whoami")
def acl_whoami(engine, client, argv):
    return client.user.encode("utf-8", "surrogateescape")


@command("acl|cat")
def acl_cat(engine, client, argv):
    if len(argv) == 2:
        return [c.encode() for c in acl.CATEGORIES]
    if len(argv) > 3:
        return _syntax(argv)
    category = as_text(argv[2]).lower()
    if category not in acl.CATEGORIES:
        raise CommandError(errors.ACL_UNKNOWN_CATEGORY % as_text(c_string(argv[2])[:128]))
    return [name.encode() for name in state(engine).table.by_category[category]]


@command("acl|genpass")
def acl_genpass(engine, client, argv):
    if len(argv) > 3:
        return _syntax(argv)
    bits = 256 if len(argv) == 2 else string2ll(argv[2])
    if bits is None:
        raise CommandError(errors.NOT_INTEGER)
    if not 0 < bits <= GENPASS_MAX_BITS:
        raise CommandError(errors.ACL_GENPASS_BITS % GENPASS_MAX_BITS)
    chars = (bits + 3) // 4
    return secrets.token_hex((chars + 1) // 2)[:chars].encode()


@command("acl|dryrun")
def acl_dryrun(engine, client, argv):
    user = state(engine).user(argv[2])
    if user is None:
        raise CommandError(errors.ACL_DRYRUN_NO_USER % as_text(c_string(argv[2])))
    line = argv[3:]
    spec = engine.spec.resolve(line)
    if spec is None or (spec.subcommands and len(line) > 1):
        raise CommandError(errors.ACL_DRYRUN_NO_COMMAND % as_text(c_string(argv[3])))
    if not spec.arity_ok(len(line)):
        raise CommandError(errors.ACL_DRYRUN_ARITY % spec.name)
    from ..acl_state import _key_refs
    denial = acl.check_user(user, spec, line, lambda: _key_refs(spec, line))
    if denial is None:
        return OK
    reason, index = denial
    return denial_message(reason, user, spec, line[index], verbose=True).encode("utf-8", "surrogateescape")


@command("acl|log")
def acl_log(engine, client, argv):
    if len(argv) > 3:
        return _syntax(argv)
    acls = state(engine)
    count = 10
    if len(argv) == 3:
        if argv[2].lower() == b"reset":
            acls.log.clear()
            return OK
        count = string2ll(argv[2])
        if count is None:
            raise CommandError(errors.NOT_INTEGER)
    now = engine.now_ms()
    return [_log_entry(entry, now) for entry in acls.log[:max(count, 0)]]


def _log_entry(entry, now_ms: int) -> Map:
    return Map([(b"count", entry.count), (b"reason", entry.reason.encode()), (b"context", entry.context.encode()),
                (b"object", entry.object), (b"username", entry.username),
                (b"age-seconds", Double((now_ms - entry.updated_ms) / 1000)),
                (b"client-info", _bytes(entry.client_info)), (b"entry-id", entry.entry_id),
                (b"timestamp-created", entry.created_ms), (b"timestamp-last-updated", entry.updated_ms)])


@command("acl|save", "acl|load")
def acl_save_load(engine, client, argv):
    return Err(errors.ACL_NO_FILE)


_HELP = [
    "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CAT [<category>]",
    "    List all commands that belong to <category>, or all command categories",
    "    when no category is specified.",
    "DELUSER <username> [<username> ...]",
    "    Delete a list of users.",
    "DRYRUN <username> <command> [<arg> ...]",
    "    Returns whether the user can execute the given command without executing the command.",
    "GETUSER <username>",
    "    Get the user's details.",
    "GENPASS [<bits>]",
    "    Generate a secure 256-bit user password. The optional `bits` argument can",
    "    be used to specify a different size.",
    "LIST",
    "    Show users details in config file format.",
    "LOAD",
    "    Reload users from the ACL file.",
    "LOG [<count> | RESET]",
    "    Show the ACL log entries.",
    "SAVE",
    "    Save the current config to the ACL file.",
    "SETUSER <username> <attribute> [<attribute> ...]",
    "    Create or modify a user with the specified attributes.",
    "USERS",
    "    List all the registered usernames.",
    "WHOAMI",
    "    Return the current connection username.",
    "HELP",
    "    Print this help.",
]


@command("acl|help")
def acl_help(engine, client, argv):
    return list(_HELP)


def _syntax(argv: list[bytes]) -> Err:
    return Err(errors.SUBCOMMAND_SYNTAX % (as_text(argv[1]), "ACL"))


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")
