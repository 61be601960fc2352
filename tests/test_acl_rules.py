"""ACL rule language and permission check, driven directly and through an engine (no sockets)."""
from __future__ import annotations

import pytest

from forkdiff.spec import load_spec
from reference_server import acl
from reference_server.engine import Engine
from reference_server.replies import Err


@pytest.fixture(scope="module")
def table():
    Engine()  # loads every command module
    return acl.command_table(load_spec())


def user_with(table, *rules: bytes) -> acl.User:
    user = acl.User(b"u")
    for rule in rules:
        user.apply(rule, table)
    return user


def test_new_user_describes_as_redis_prints_it(table):
    assert acl.User(b"u").describe() == "off sanitize-payload resetchannels -@all"


def test_a_later_rule_for_the_same_name_replaces_the_earlier(table):
    user = user_with(table, b"+get", b"+set", b"-get", b"+config|get", b"-config")
    assert user.root.command_rules() == "-@all +set -get -config"
    assert "config|get" not in user.root.allowed and "set" in user.root.allowed


def test_all_commands_resets_the_rules(table):
    user = user_with(table, b"+get", b"allcommands", b"-@admin")
    assert user.root.command_rules() == "+@all -@admin"
    assert "config|set" not in user.root.allowed and "get" in user.root.allowed


def test_container_rule_carries_its_subcommands(table):
    user = user_with(table, b"+config")
    assert {"config|get", "config|set"} <= user.root.allowed


@pytest.mark.parametrize("rule, reason", [(b"+nosuch", acl.UNKNOWN_NAME), (b"-select|0", acl.UNKNOWN_NAME),
                                          (b"+config|get|x", acl.SUBCOMMAND_FIRSTARG), (b"+get|", acl.SYNTAX),
                                          (b"%Q~a", acl.SYNTAX),
                                          (b"<nope", acl.NO_SUCH_PASSWORD), (b"#12", acl.BAD_HASH)])
def test_bad_rules_raise_redis_reasons(table, rule, reason):
    with pytest.raises(acl.RuleError) as raised:
        acl.User(b"u").apply(rule, table)
    assert str(raised.value) == reason


def test_key_patterns_merge_their_permissions(table):
    user = user_with(table, b"%R~a*", b"%W~a*", b"%W~b*")
    assert user.root.key_rules() == "~a* %W~b*"
    assert user.root.key_allowed(b"b1", acl.WRITE) and not user.root.key_allowed(b"b1", acl.READ)


def test_merge_selectors_joins_split_arguments():
    assert acl.merge_selectors([b"on", b"(~a", b"+get)", b"(+set)"]) == [b"on", b"(~a +get)", b"(+set)"]
    assert acl.merge_selectors([b"on", b"(~a", b"+get"]) == 1


def test_check_reports_command_then_the_worst_key_or_channel(table):
    spec = load_spec()
    user = user_with(table, b"~a*", b"+get", b"+mget", b"(~b* +mget)")
    refs = lambda args: (lambda: spec["mget"].key_refs(args, partial=True))
    assert acl.check_user(user, spec["set"], [b"set", b"a", b"v"], lambda: []) == (acl.DENIED_CMD, 0)
    assert acl.check_user(user, spec["mget"], [b"mget", b"a1", b"b1"], refs([b"mget", b"a1", b"b1"])) == \
        (acl.DENIED_KEY, 2)
    assert acl.check_user(user, spec["mget"], [b"mget", b"a1"], refs([b"mget", b"a1"])) is None


def test_psubscribe_patterns_are_matched_literally(table):
    user = user_with(table, b"&news.*")
    assert user.root.channel_allowed(b"news.*", is_pattern=True)
    assert not user.root.channel_allowed(b"news.1", is_pattern=True)
    assert user.root.channel_allowed(b"news.1", is_pattern=False)


def test_engine_skips_checks_while_every_user_has_every_permission():
    engine = Engine(clock=lambda: 1_000)
    client = engine.new_client()
    assert engine.execute(client, [b"ACL", b"SETUSER", b"full", b"on", b"nopass", b"+@all", b"~*", b"&*"]) == "OK"
    assert engine.extensions["acl"].limited == frozenset()
    assert engine.execute(client, [b"ACL", b"SETUSER", b"limited", b"on", b"nopass", b"+get"]) == "OK"
    assert engine.extensions["acl"].limited == {"limited"}


def test_engine_refuses_with_noperm_and_logs(table):
    engine = Engine(clock=lambda: 5_000)
    admin, client = engine.new_client(), engine.new_client()
    engine.execute(admin, [b"ACL", b"SETUSER", b"bob", b"on", b">pw", b"~k*", b"+get"])
    assert engine.execute(client, [b"AUTH", b"bob", b"pw"]) == "OK"
    assert engine.execute(client, [b"GET", b"zz"]) == Err("NOPERM No permissions to access a key")
    assert engine.execute(client, [b"SET", b"k", b"v"]) == \
        Err("NOPERM User bob has no permissions to run the 'set' command")
    log = engine.extensions["acl"].log
    assert [(e.reason, e.object, e.created_ms) for e in log] == [("command", b"set", 5_000), ("key", b"zz", 5_000)]


def test_requirepass_follows_into_the_default_user():
    engine = Engine()
    admin = engine.new_client()
    engine.execute(admin, [b"ACL", b"WHOAMI"])  # makes the ACL state
    engine.execute(admin, [b"CONFIG", b"SET", b"requirepass", b"secret"])
    assert engine.new_client().authenticated is False
    engine.execute(admin, [b"CONFIG", b"SET", b"requirepass", b""])
    assert engine.new_client().authenticated is True
