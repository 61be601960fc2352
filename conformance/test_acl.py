"""ACL: the rule language and its canonical text (LIST, GETUSER), user management, DRYRUN, LOG, CAT, GENPASS, and
the permission check every command goes through (NOPERM texts), AUTH/HELLO with user names.

The suite shares one server per target: every case that creates users deletes them, and restores the default user,
in the `users` fixture's teardown; requirepass is cleared in a finally block.
"""
from __future__ import annotations

import hashlib

import pytest

from forkdiff.types import Kind, Reply, array, bulk, bulks, integer, map_, set_

from .asserts import assert_error, assert_help, assert_null, assert_ok, assert_reply

NO_ACL_FILE = ("ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the "
               "ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file "
               "set) in order to store users in the Redis configuration.")
WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled."
DEFAULT_LINE = "user default on nopass sanitize-payload ~* &* +@all"
CATEGORIES = ["keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap", "hyperloglog",
              "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous", "connection",
              "transaction", "scripting"]
BOB_RULES = ["on", ">pw1", ">pw2", "~k*", "%R~r*", "%W~w*", "%RW~x*", "&ch*", "+get", "+config|get", "-@all",
             "+@read", "-@dangerous", "+select|0", "+SET"]


def sha(password: str) -> str:
    return hashlib.sha256(password.encode()).hexdigest()


def as_map(resp: int, *pairs: tuple[Reply, Reply]) -> Reply:
    if resp == 3:
        return map_(*pairs)
    return array(*(item for pair in pairs for item in pair))


def as_set(resp: int, *items: Reply) -> Reply:
    return set_(*items) if resp == 3 else array(*items)


@pytest.fixture
def users(conn):
    """Names of users a case creates; all are deleted and the default user restored afterwards."""
    created: list[str] = []
    yield created
    if created:
        conn.call("ACL", "DELUSER", *created)
    conn.call("ACL", "SETUSER", "default", "reset", "on", "nopass", "~*", "&*", "+@all")
    conn.call("ACL", "LOG", "RESET")


def field(reply: Reply, name: bytes) -> Reply:
    """One field of a map reply (a flat array in RESP2)."""
    pairs = reply.value if reply.kind is Kind.MAP else zip(reply.value[::2], reply.value[1::2])
    return next(v for k, v in pairs if k.value == name)


def setuser(conn, users, name: str, *rules: str) -> Reply:
    users.append(name)
    return conn.call("ACL", "SETUSER", name, *rules)


def login(connect_client, name: str, password: str = "pw"):
    c = connect_client()
    assert_ok(c.call("AUTH", name, password))
    return c


def acl_list_line(conn, name: str) -> str:
    lines = [r.value.decode() for r in conn.call("ACL", "LIST").value]
    return next(line for line in lines if line.split()[1] == name)


# -- SETUSER and the canonical text ----------------------------------------------------------------------------
def test_acl_setuser_new_user_starts_off_without_permissions(conn, users, resp):
    assert_ok(setuser(conn, users, "alice"))
    assert acl_list_line(conn, "alice") == "user alice off sanitize-payload resetchannels -@all"
    expected = as_map(resp, (bulk("flags"), as_set(resp, bulk("off"), bulk("sanitize-payload"))),
                      (bulk("passwords"), array()), (bulk("commands"), bulk("-@all")), (bulk("keys"), bulk("")),
                      (bulk("channels"), bulk("")), (bulk("selectors"), array()))
    assert_reply(conn.call("ACL", "GETUSER", "alice"), expected)


def test_acl_setuser_rules_print_back_canonically(conn, users, resp):
    assert_ok(setuser(conn, users, "bob", *BOB_RULES))
    hashes = f"#{sha('pw1')} #{sha('pw2')}"
    assert acl_list_line(conn, "bob") == (f"user bob on sanitize-payload {hashes} ~k* %R~r* %W~w* ~x* resetchannels "
                                          "&ch* -@all +@read -@dangerous +select|0 +set")
    expected = as_map(resp, (bulk("flags"), as_set(resp, bulk("on"), bulk("sanitize-payload"))),
                      (bulk("passwords"), bulks(sha("pw1"), sha("pw2"))),
                      (bulk("commands"), bulk("-@all +@read -@dangerous +select|0 +set")),
                      (bulk("keys"), bulk("~k* %R~r* %W~w* ~x*")), (bulk("channels"), bulk("&ch*")),
                      (bulk("selectors"), array()))
    assert_reply(conn.call("ACL", "GETUSER", "bob"), expected)


def test_acl_setuser_selectors(conn, users, resp):
    assert_ok(setuser(conn, users, "carl", "on", "nopass", "allkeys", "allchannels", "allcommands", "-debug",
                      "(~a*", "+get)", "(%R~b* +@read)"))
    assert acl_list_line(conn, "carl") == ("user carl on nopass sanitize-payload ~* &* +@all -debug "
                                           "(~a* resetchannels -@all +get) (%R~b* resetchannels -@all +@read)")
    selector = lambda commands, keys: as_map(resp, (bulk("commands"), bulk(commands)), (bulk("keys"), bulk(keys)),
                                             (bulk("channels"), bulk("")))
    expected = as_map(resp, (bulk("flags"), as_set(resp, bulk("on"), bulk("nopass"), bulk("sanitize-payload"))),
                      (bulk("passwords"), array()), (bulk("commands"), bulk("+@all -debug")),
                      (bulk("keys"), bulk("~*")), (bulk("channels"), bulk("&*")),
                      (bulk("selectors"), array(selector("-@all +get", "~a*"), selector("-@all +@read", "%R~b*"))))
    assert_reply(conn.call("ACL", "GETUSER", "carl"), expected)
    assert_ok(conn.call("ACL", "SETUSER", "carl", "clearselectors"))
    assert acl_list_line(conn, "carl") == "user carl on nopass sanitize-payload ~* &* +@all -debug"


@pytest.mark.parametrize("rules, line", [
    (["+get", "+set", "-get", "+get"], "user u off sanitize-payload resetchannels -@all +set +get"),
    (["+config|get", "+config|set", "-config"], "user u off sanitize-payload resetchannels -@all -config"),
    (["+@all", "-@admin", "+config|get"], "user u off sanitize-payload resetchannels +@all -@admin +config|get"),
    (["allcommands", "nocommands", "+ping"], "user u off sanitize-payload resetchannels -@all +ping"),
    (["~a", "%R~a", "~b", "resetkeys", "%W~c"], "user u off sanitize-payload %W~c resetchannels -@all"),
    (["%R~a", "%W~a"], "user u off sanitize-payload ~a resetchannels -@all"),
    (["&x", "&x", "allchannels"], "user u off sanitize-payload &* -@all"),
    (["allkeys", "resetkeys"], "user u off sanitize-payload resetchannels -@all"),
    (["on", "skip-sanitize-payload", "off"], "user u off skip-sanitize-payload resetchannels -@all"),
    (["on", "~*", "+@all", "reset"], "user u off sanitize-payload resetchannels -@all"),
    (["", "ON", "NOPASS", "AllKeys"], "user u on nopass sanitize-payload ~* resetchannels -@all"),
])
def test_acl_setuser_rule_order_and_replacement(conn, users, rules, line):
    assert_ok(setuser(conn, users, "u", *rules))
    assert acl_list_line(conn, "u") == line


def test_acl_setuser_passwords(conn, users, resp):
    assert_ok(setuser(conn, users, "p", ">one", ">two", ">one", f"#{sha('three')}"))
    assert_reply(field(conn.call("ACL", "GETUSER", "p"), b"passwords"), bulks(sha("one"), sha("two"), sha("three")))
    assert_ok(conn.call("ACL", "SETUSER", "p", "<one", f"!{sha('three')}"))
    assert acl_list_line(conn, "p") == f"user p off sanitize-payload #{sha('two')} resetchannels -@all"
    assert_ok(conn.call("ACL", "SETUSER", "p", "nopass"))
    assert acl_list_line(conn, "p") == "user p off nopass sanitize-payload resetchannels -@all"
    assert_ok(conn.call("ACL", "SETUSER", "p", ">x", "resetpass"))
    assert acl_list_line(conn, "p") == "user p off sanitize-payload resetchannels -@all"


ADD_AFTER_ALL_KEYS = ("Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have "
                      "any effect. Try 'resetkeys' to start with an empty list of patterns")
ADD_AFTER_ALL_CHANNELS = ("Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not "
                          "have any effect. Try 'resetchannels' to start with an empty list of channels")
UNKNOWN = "Unknown command or category name in ACL"
SYNTAX_RULE = "Syntax error"


@pytest.mark.parametrize("rules, bad, reason", [
    (["~*", "~a"], "~a", ADD_AFTER_ALL_KEYS),
    (["allkeys", "%R~a"], "%R~a", ADD_AFTER_ALL_KEYS),
    (["&*", "&a"], "&a", ADD_AFTER_ALL_CHANNELS),
    (["+nosuch"], "+nosuch", UNKNOWN),
    (["-nosuch"], "-nosuch", UNKNOWN),
    (["+@nosuch"], "+@nosuch", UNKNOWN),
    (["-select|0"], "-select|0", UNKNOWN),
    (["+config|nosuch"], "+config|nosuch", UNKNOWN),
    (["foo"], "foo", SYNTAX_RULE),
    (["+get|"], "+get|", SYNTAX_RULE),
    (["%X~a"], "%X~a", SYNTAX_RULE),
    (["%~a"], "%~a", SYNTAX_RULE),
    (["%RR~a"], "%RR~a", SYNTAX_RULE),
    (["~a b"], "~a b", SYNTAX_RULE),
    (["&a\tb"], "&a\tb", SYNTAX_RULE),
    (["<nope"], "<nope", "The password you are trying to remove from the user does not exist"),
    (["#abc"], "#abc", "The password hash must be exactly 64 characters and contain only lowercase hexadecimal "
                       "characters"),
    (["!" + "A" * 64], "!" + "A" * 64, "The password hash must be exactly 64 characters and contain only lowercase "
                                       "hexadecimal characters"),
    (["+config|get|x"], "+config|get|x", "Allowing first-arg of a subcommand is not supported"),
    (["(+nosuch)"], "(+nosuch)", UNKNOWN),
    (["(~a", "foo)"], "(~a foo)", SYNTAX_RULE),
])
def test_acl_setuser_rule_errors(conn, users, rules, bad, reason):
    users.append("x")
    assert_error(conn.call("ACL", "SETUSER", "x", *rules), f"ERR Error in ACL SETUSER modifier '{bad}': {reason}")


def test_acl_setuser_failed_rule_changes_nothing(conn, users):
    assert_ok(setuser(conn, users, "x", "on", "+get"))
    assert_error(conn.call("ACL", "SETUSER", "x", "off", "+set", "+nosuch"), code="ERR")
    assert acl_list_line(conn, "x") == "user x on sanitize-payload resetchannels -@all +get"
    assert_error(conn.call("ACL", "SETUSER", "y", "+nosuch"), code="ERR")
    assert_reply(conn.call("ACL", "USERS"), bulks("default", "x"))


@pytest.mark.parametrize("rules, start", [(["(+get"], "(+get"), (["(+get", "~a*"], "(+get"),
                                          (["on", "(", "~a"], "(")])
def test_acl_setuser_unmatched_parenthesis(conn, users, rules, start):
    users.append("x")
    assert_error(conn.call("ACL", "SETUSER", "x", *rules),
                 f"ERR Unmatched parenthesis in acl selector starting at '{start}'.")


@pytest.mark.parametrize("name", ["a b", "a\x00b", "tab\there"])
def test_acl_setuser_username_with_spaces(conn, name):
    assert_error(conn.call("ACL", "SETUSER", name), "ERR Usernames can't contain spaces or null characters")


def test_acl_setuser_arity(conn):
    assert_error(conn.call("ACL", "SETUSER"), "ERR wrong number of arguments for 'acl|setuser' command")


# -- DELUSER, USERS, GETUSER, WHOAMI, LIST -----------------------------------------------------------------------
def test_acl_deluser_counts_deleted_users(conn, users):
    setuser(conn, users, "a")
    setuser(conn, users, "b")
    assert_reply(conn.call("ACL", "DELUSER", "a", "nosuch", "b", "a"), integer(2))
    assert_reply(conn.call("ACL", "USERS"), bulks("default"))


def test_acl_deluser_default_is_refused(conn, users):
    setuser(conn, users, "a")
    assert_error(conn.call("ACL", "DELUSER", "a", "default"), "ERR The 'default' user cannot be removed")
    assert_reply(conn.call("ACL", "USERS"), bulks("a", "default"))


def test_acl_deluser_closes_connections_of_the_user(conn, users, connect_client):
    setuser(conn, users, "gone", "on", ">pw", "+@all")
    other = login(connect_client, "gone")
    assert_reply(conn.call("ACL", "DELUSER", "gone"), integer(1))
    assert other.is_closed()


def test_acl_users_in_byte_order(conn, users):
    for name in ["zed", "Bob", "amy", "default2"]:
        setuser(conn, users, name)
    assert_reply(conn.call("ACL", "USERS"), bulks("Bob", "amy", "default", "default2", "zed"))
    assert [r.value.split()[1] for r in conn.call("ACL", "LIST").value] == \
        [b"Bob", b"amy", b"default", b"default2", b"zed"]


def test_acl_list_default_user(conn):
    assert_reply(conn.call("ACL", "LIST"), bulks(DEFAULT_LINE))


def test_acl_getuser_default(conn, resp):
    expected = as_map(resp, (bulk("flags"), as_set(resp, bulk("on"), bulk("nopass"), bulk("sanitize-payload"))),
                      (bulk("passwords"), array()), (bulk("commands"), bulk("+@all")), (bulk("keys"), bulk("~*")),
                      (bulk("channels"), bulk("&*")), (bulk("selectors"), array()))
    assert_reply(conn.call("ACL", "GETUSER", "default"), expected)


def test_acl_getuser_unknown_user(conn, resp):
    assert_null(conn.call("ACL", "GETUSER", "nosuch"), resp)


def test_acl_whoami(conn, users, connect_client):
    assert_reply(conn.call("ACL", "WHOAMI"), bulk("default"))
    setuser(conn, users, "w", "on", ">pw", "+acl|whoami")
    assert_reply(login(connect_client, "w").call("ACL", "WHOAMI"), bulk("w"))


@pytest.mark.parametrize("sub", ["WHOAMI", "LIST", "USERS", "HELP", "SAVE", "LOAD"])
def test_acl_subcommand_arity(conn, sub):
    assert_error(conn.call("ACL", sub, "extra"), f"ERR wrong number of arguments for 'acl|{sub.lower()}' command")


def test_acl_unknown_subcommand(conn):
    assert_error(conn.call("ACL", "FOO"), "ERR unknown subcommand 'FOO'. Try ACL HELP.")


@pytest.mark.parametrize("sub", ["SAVE", "LOAD"])
def test_acl_save_load_without_acl_file(conn, sub):
    assert_error(conn.call("ACL", sub), NO_ACL_FILE)


def test_acl_help(conn):
    assert_help(conn.call("ACL", "HELP"), "ACL", 29)


# -- CAT, GENPASS ------------------------------------------------------------------------------------------------
def test_acl_cat_lists_categories(conn):
    assert_reply(conn.call("ACL", "CAT"), bulks(*CATEGORIES))


@pytest.mark.parametrize("category, member, outsider", [("read", b"get", b"set"), ("WRITE", b"set", b"get"),
                                                        ("admin", b"config|set", b"ping"),
                                                        ("pubsub", b"publish", b"get")])
def test_acl_cat_category_members(conn, category, member, outsider):
    names = {r.value for r in conn.call("ACL", "CAT", category).value}
    assert member in names and outsider not in names


def test_acl_cat_unknown_category(conn):
    assert_error(conn.call("ACL", "CAT", "nosuch"), "ERR Unknown category 'nosuch'")


def test_acl_cat_syntax(conn):
    assert_error(conn.call("ACL", "CAT", "read", "x"),
                 "ERR unknown subcommand or wrong number of arguments for 'CAT'. Try ACL HELP.")


@pytest.mark.parametrize("args, length", [([], 64), (["1"], 1), (["5"], 2), (["8"], 2), (["4096"], 1024)])
def test_acl_genpass_length(conn, args, length):
    reply = conn.call("ACL", "GENPASS", *args)
    assert reply.kind is Kind.BULK and len(reply.value) == length
    assert all(c in b"0123456789abcdef" for c in reply.value)


@pytest.mark.parametrize("bits", ["0", "-1", "4097"])
def test_acl_genpass_out_of_range(conn, bits):
    assert_error(conn.call("ACL", "GENPASS", bits), "ERR ACL GENPASS argument must be the number of bits for the "
                                                     "output password, a positive number up to 4096")


def test_acl_genpass_not_an_integer(conn):
    assert_error(conn.call("ACL", "GENPASS", "x"), "ERR value is not an integer or out of range")


# -- DRYRUN ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("line, verdict", [
    (["get", "k1"], None),
    (["get", "zz"], "User bob has no permissions to access the 'zz' key"),
    (["set", "w1", "v"], None),
    (["set", "r1", "v"], "User bob has no permissions to access the 'r1' key"),
    (["set", "x1", "v", "get"], None),
    (["hset", "k1", "a", "b"], "User bob has no permissions to run the 'hset' command"),
    (["select", "0"], None),
    (["select", "1"], "User bob has no permissions to run the 'select' command"),
    (["config", "get", "x"], "User bob has no permissions to run the 'config|get' command"),
    (["mget", "k1", "r2", "zz"], "User bob has no permissions to access the 'zz' key"),
])
def test_acl_dryrun(conn, users, line, verdict):
    setuser(conn, users, "bob", *BOB_RULES)
    reply = conn.call("ACL", "DRYRUN", "bob", *line)
    assert_reply(reply, bulk(verdict)) if verdict else assert_ok(reply)


@pytest.mark.parametrize("line, message", [
    (["nosuch"], "ERR Command 'nosuch' not found"),
    (["config", "nosuch"], "ERR Command 'config' not found"),
    (["get"], "ERR wrong number of arguments for 'get' command"),
    (["config"], "ERR wrong number of arguments for 'config' command"),
])
def test_acl_dryrun_errors(conn, users, line, message):
    setuser(conn, users, "bob", *BOB_RULES)
    assert_error(conn.call("ACL", "DRYRUN", "bob", *line), message)


def test_acl_dryrun_unknown_user(conn):
    assert_error(conn.call("ACL", "DRYRUN", "nosuch", "get", "a"), "ERR User 'nosuch' not found")


def test_acl_dryrun_channels_and_selectors(conn, users):
    setuser(conn, users, "s", "on", "resetchannels", "&news.*", "+publish", "(~a* +get)", "(~b* +set)")
    assert_ok(conn.call("ACL", "DRYRUN", "s", "publish", "news.1", "m"))
    assert_reply(conn.call("ACL", "DRYRUN", "s", "publish", "other", "m"),
                 bulk("User s has no permissions to access the 'other' channel"))
    assert_ok(conn.call("ACL", "DRYRUN", "s", "get", "a1"))
    assert_ok(conn.call("ACL", "DRYRUN", "s", "set", "b1", "v"))
    assert_reply(conn.call("ACL", "DRYRUN", "s", "set", "a1", "v"),
                 bulk("User s has no permissions to access the 'a1' key"))
    assert_reply(conn.call("ACL", "DRYRUN", "s", "del", "a1"), bulk("User s has no permissions to run the 'del' command"))


# -- the permission check ----------------------------------------------------------------------------------------
def test_acl_noperm_command_key_and_channel(conn, users, connect_client, resp):
    setuser(conn, users, "bob", "on", ">pw", "~k*", "%R~r*", "&ch*", "-@all", "+@read", "+set", "+publish",
            "+subscribe", "+psubscribe")
    bob = login(connect_client, "bob")
    assert_null(bob.call("GET", "k1"), resp)
    assert_error(bob.call("GET", "zz"), "NOPERM No permissions to access a key")
    assert_error(bob.call("SET", "r1", "v"), "NOPERM No permissions to access a key")
    assert_ok(bob.call("SET", "k1", "v"))
    assert_error(bob.call("MSET", "k1", "v"), "NOPERM User bob has no permissions to run the 'mset' command")
    assert_reply(bob.call("PUBLISH", "chx", "m"), integer(0))
    assert_error(bob.call("PUBLISH", "zz", "m"), "NOPERM No permissions to access a channel")
    assert_error(bob.call("SUBSCRIBE", "zz"), "NOPERM No permissions to access a channel")
    assert_error(bob.call("PSUBSCRIBE", "c*"), "NOPERM No permissions to access a channel")
    assert_error(bob.call("CONFIG", "GET", "x"),
                 "NOPERM User bob has no permissions to run the 'config|get' command")


def test_acl_noperm_read_and_write_patterns(conn, users, connect_client):
    setuser(conn, users, "rw", "on", ">pw", "+@all", "%R~r*", "%W~w*")
    c = login(connect_client, "rw")
    assert_ok(c.call("SET", "w1", "v"))
    assert_error(c.call("GET", "w1"), "NOPERM No permissions to access a key")
    assert_error(c.call("SET", "w1", "v", "GET"), "NOPERM No permissions to access a key")
    assert_error(c.call("SET", "r1", "v"), "NOPERM No permissions to access a key")
    assert_reply(c.call("EXISTS", "r1"), integer(0))
    assert_error(c.call("COPY", "r1", "r2"), "NOPERM No permissions to access a key")
    assert_reply(c.call("COPY", "r1", "w2"), integer(0))


def test_acl_noperm_inside_multi_aborts_exec(conn, users, connect_client):
    setuser(conn, users, "m", "on", ">pw", "~k*", "+multi", "+exec", "+get")
    c = login(connect_client, "m")
    assert_ok(c.call("MULTI"))
    assert_error(c.call("GET", "zz"), "NOPERM No permissions to access a key")
    assert_error(c.call("EXEC"), "EXECABORT Transaction discarded because of previous errors.")


def test_acl_first_arg_rule(conn, users, connect_client):
    setuser(conn, users, "f", "on", ">pw", "+select|0")
    c = login(connect_client, "f")
    assert_ok(c.call("SELECT", "0"))
    assert_error(c.call("SELECT", "1"), "NOPERM User f has no permissions to run the 'select' command")


def test_acl_changes_apply_to_logged_in_connections(conn, users, connect_client):
    setuser(conn, users, "live", "on", ">pw", "+@all", "~*")
    c = login(connect_client, "live")
    assert_ok(c.call("SET", "a", "1"))
    assert_ok(conn.call("ACL", "SETUSER", "live", "-set"))
    assert_error(c.call("SET", "a", "1"), "NOPERM User live has no permissions to run the 'set' command")


# -- AUTH and HELLO with users -----------------------------------------------------------------------------------
def test_auth_with_acl_user(conn, users, connect_client):
    setuser(conn, users, "bob", "on", ">pw", "+@all", "~*")
    c = connect_client()
    assert_error(c.call("AUTH", "bob", "wrong"), WRONGPASS)
    assert_error(c.call("AUTH", "nosuch", "pw"), WRONGPASS)
    assert_reply(c.call("ACL", "WHOAMI"), bulk("default"))
    assert_ok(c.call("AUTH", "bob", "pw"))
    assert_reply(c.call("ACL", "WHOAMI"), bulk("bob"))


def test_auth_disabled_user(conn, users, connect_client):
    setuser(conn, users, "off1", "off", ">p", "+@all")
    c = connect_client()
    assert_error(c.call("AUTH", "off1", "p"), WRONGPASS)
    assert_error(c.call("HELLO", "3", "AUTH", "off1", "p"), WRONGPASS)


def test_auth_nopass_user_takes_any_password(conn, users, connect_client):
    setuser(conn, users, "free", "on", "nopass", "+@all")
    assert_ok(connect_client().call("AUTH", "free", "anything"))


def test_hello_auth_with_acl_user(conn, users, connect_client, resp):
    setuser(conn, users, "bob", "on", ">pw", "+@all")
    c = connect_client()
    reply = c.call("HELLO", str(resp), "AUTH", "bob", "pw")
    assert reply.kind is (Kind.MAP if resp == 3 else Kind.ARRAY)
    assert_reply(c.call("ACL", "WHOAMI"), bulk("bob"))


def test_auth_default_user_password_from_acl(conn, users, connect_client):
    try:
        assert_ok(conn.call("ACL", "SETUSER", "default", "resetpass", ">secret"))
        c = connect_client(2)  # HELLO 3 would need the password
        assert_error(c.call("GET", "a"), "NOAUTH Authentication required.")
        assert_ok(c.call("AUTH", "secret"))
        assert_ok(connect_client(2).call("AUTH", "default", "secret"))
    finally:
        conn.call("ACL", "SETUSER", "default", "nopass")


def test_auth_requirepass_sets_the_default_users_password(conn):
    try:
        assert_ok(conn.call("CONFIG", "SET", "requirepass", "pw"))
        assert_reply(conn.call("ACL", "LIST"),
                     bulks(f"user default on sanitize-payload #{sha('pw')} ~* &* +@all"))
    finally:
        conn.call("CONFIG", "SET", "requirepass", "")
    assert_reply(conn.call("ACL", "LIST"), bulks(DEFAULT_LINE))


# -- LOG ---------------------------------------------------------------------------------------------------------
LOG_FIELDS = [b"count", b"reason", b"context", b"object", b"username", b"age-seconds", b"client-info", b"entry-id",
              b"timestamp-created", b"timestamp-last-updated"]


def log_entries(conn, *args: str) -> list[dict]:
    reply = conn.call("ACL", "LOG", *args)
    assert reply.kind is Kind.ARRAY
    entries = []
    for entry in reply.value:
        if entry.kind is Kind.MAP:
            pairs = list(entry.value)
        else:
            pairs = list(zip(entry.value[::2], entry.value[1::2]))
        assert [k.value for k, _ in pairs] == LOG_FIELDS
        entries.append({k.value.decode(): v for k, v in pairs})
    return entries


def test_acl_log_records_denials(conn, users, connect_client, resp):
    conn.call("ACL", "LOG", "RESET")
    setuser(conn, users, "bob", "on", ">pw", "~k*", "&ch*", "+get", "+publish")
    c = connect_client()
    assert_error(c.call("AUTH", "bob", "wrong"), WRONGPASS)
    assert_ok(c.call("AUTH", "bob", "pw"))
    c.call("GET", "zz")
    c.call("GET", "zz")
    c.call("PUBLISH", "zz", "m")
    c.call("SET", "k", "v")
    entries = log_entries(conn)
    summary = [(e["count"].value, e["reason"].value, e["context"].value, e["object"].value, e["username"].value)
               for e in entries]
    assert summary == [(1, b"command", b"toplevel", b"set", b"bob"), (1, b"channel", b"toplevel", b"zz", b"bob"),
                       (2, b"key", b"toplevel", b"zz", b"bob"), (1, b"auth", b"toplevel", b"AUTH", b"bob")]
    ids = [e["entry-id"].value for e in entries]  # the counter survives LOG RESET
    assert ids == [ids[-1] + 3, ids[-1] + 2, ids[-1] + 1, ids[-1]]
    newest = entries[0]
    assert newest["age-seconds"].kind is (Kind.DOUBLE if resp == 3 else Kind.BULK)
    assert b" cmd=set user=bob " in newest["client-info"].value
    assert newest["timestamp-created"].kind is Kind.INTEGER
    assert len(log_entries(conn, "2")) == 2
    assert len(log_entries(conn, "-5")) == 0
    assert_ok(conn.call("ACL", "LOG", "RESET"))
    assert log_entries(conn) == []


def test_acl_log_inside_multi(conn, users, connect_client):
    conn.call("ACL", "LOG", "RESET")
    setuser(conn, users, "m", "on", ">pw", "+multi", "+discard", "+get")
    c = login(connect_client, "m")
    c.call("MULTI")
    c.call("SET", "a", "b")
    c.call("DISCARD")
    entries = log_entries(conn)
    assert [(e["context"].value, e["object"].value) for e in entries] == [(b"multi", b"set")]


def test_acl_log_errors(conn):
    assert_error(conn.call("ACL", "LOG", "x"), "ERR value is not an integer or out of range")
    assert_error(conn.call("ACL", "LOG", "1", "2"),
                 "ERR unknown subcommand or wrong number of arguments for 'LOG'. Try ACL HELP.")


def test_acl_errors_print_arguments_as_c_strings(conn):
    """Found by the fuzzer: a NUL byte ends the argument quoted in the error, as C's %s does."""
    assert_error(conn.call("ACL", "CAT", b"\x00\xff"), "ERR Unknown category ''")
    assert_error(conn.call("ACL", "DRYRUN", "default", b"\x00\xff", "x"), "ERR Command '' not found")
