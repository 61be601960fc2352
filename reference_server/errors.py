"""Every error text the reference server sends, byte-identical to Redis 8.2, as named constants.

Templates take `%` arguments; `CommandError(text)` raised anywhere in a handler becomes the error reply.
"""
from __future__ import annotations

from .replies import Err


class CommandError(Exception):
    """Raised by handlers; the engine turns it into an error reply."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.reply = Err(text)


WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
SYNTAX = "ERR syntax error"
NOT_INTEGER = "ERR value is not an integer or out of range"
NOT_FLOAT = "ERR value is not a valid float"
INCR_OVERFLOW = "ERR increment or decrement would overflow"
DECREMENT_OVERFLOW = "ERR decrement would overflow"
INCRBYFLOAT_NAN_INF = "ERR increment would produce NaN or Infinity"
NO_SUCH_KEY = "ERR no such key"
OUT_OF_RANGE = "ERR index out of range"
DB_INDEX = "ERR DB index is out of range"
SWAPDB_INVALID_INDEX = "ERR invalid %s DB index"
CONFIG_SET_UNKNOWN = "ERR Unknown option or number of arguments for CONFIG SET - '%s'"
CONFIG_SET_FAILED = "ERR CONFIG SET failed (possibly related to argument '%s') - %s"
GETKEYS_INVALID_COMMAND = "ERR Invalid command specified"
GETKEYS_NO_KEYS = "ERR The command has no key arguments"
GETKEYS_INVALID_ARGC = "ERR Invalid number of arguments specified for command"
GETKEYS_INVALID_ARGS = "ERR Invalid arguments specified for command"
INVALID_EXPIRE = "ERR invalid expire time in '%s' command"
WRONG_ARITY = "ERR wrong number of arguments for '%s' command"
UNKNOWN_COMMAND = "ERR unknown command '%s', with args beginning with: %s"
UNKNOWN_SUBCOMMAND = "ERR unknown subcommand '%s'. Try %s HELP."
NOAUTH = "NOAUTH Authentication required."
WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled."
AUTH_NOT_CONFIGURED = ("ERR AUTH <password> called without any password configured for the default user. "
                       "Are you sure your configuration is correct?")
MULTI_NESTED = "ERR MULTI calls can not be nested"
EXEC_WITHOUT_MULTI = "ERR EXEC without MULTI"
DISCARD_WITHOUT_MULTI = "ERR DISCARD without MULTI"
WATCH_IN_MULTI = "ERR WATCH inside MULTI is not allowed"
EXECABORT = "EXECABORT Transaction discarded because of previous errors."
NOPROTO = "NOPROTO unsupported protocol version"
HELLO_PROTOVER = "ERR Protocol version is not an integer or out of range"
HELLO_SYNTAX = "ERR Syntax error in HELLO option '%s'"
HELLO_NOAUTH = ("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> "
                "AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol "
                "version at the same time")
EXECABORT_BECAUSE = "EXECABORT Transaction discarded because of: %s"
NOT_IN_MULTI = "ERR Command not allowed inside a transaction"
SUBCOMMAND_SYNTAX = "ERR unknown subcommand or wrong number of arguments for '%s'. Try %s HELP."
CLIENT_NAME_INVALID = "ERR Client names cannot contain spaces, newlines or special characters."
CLIENT_ATTR_INVALID = "ERR %s cannot contain spaces, newlines or special characters."
CLIENT_SETINFO_OPTION = "ERR Unrecognized option '%s'"
CLIENT_TYPE_UNKNOWN = "ERR Unknown client type '%s'"
CLIENT_ID_INVALID = "ERR Invalid client ID"
CLIENT_ID_NOT_POSITIVE = "ERR client-id should be greater than 0"
CLIENT_MAXAGE_NOT_INTEGER = "ERR maxage is not an integer or out of range"
CLIENT_MAXAGE_NOT_POSITIVE = "ERR maxage should be greater than 0"
NO_SUCH_CLIENT = "ERR No such client"
NO_SUCH_USER = "ERR No such user '%s'"
UNBLOCK_REASON = "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"
UNBLOCKED = "UNBLOCKED client unblocked via CLIENT UNBLOCK"
PAUSE_MODE = "ERR CLIENT PAUSE mode must be WRITE or ALL"
PAUSE_TIMEOUT_NOT_INTEGER = "ERR timeout is not an integer or out of range"
PAUSE_TIMEOUT_NEGATIVE = "ERR timeout is negative"
PAUSE_TIMEOUT_OUT_OF_RANGE = "ERR timeout is out of range"
CLIENT_CACHING_NOT_TRACKING = ("ERR CLIENT CACHING can be called only when the client is in tracking mode with "
                               "OPTIN or OPTOUT mode enabled")
STRING_TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
BIT_OFFSET = "ERR bit offset is not an integer or out of range"
OFFSET_OUT_OF_RANGE = "ERR offset is out of range"
LCS_NOT_STRINGS = "ERR The specified keys must contain string values"
LCS_LEN_AND_IDX = "ERR If you want both the length and indexes, please just use IDX."
LCS_TOO_MUCH_MEMORY = "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"
SAME_OBJECT = "ERR source and destination objects are the same"

# Protocol errors: sent, then the connection is closed.
PROTO_INVALID_MULTIBULK = "ERR Protocol error: invalid multibulk length"
PROTO_INVALID_BULK = "ERR Protocol error: invalid bulk length"
PROTO_EXPECTED_DOLLAR = "ERR Protocol error: expected '$', got '%s'"
PROTO_UNBALANCED = "ERR Protocol error: unbalanced quotes in request"
PROTO_TOO_BIG_INLINE = "ERR Protocol error: too big inline request"
PROTO_TOO_BIG_MBULK = "ERR Protocol error: too big mbulk count string"
PROTO_TOO_BIG_BULK = "ERR Protocol error: too big bulk count string"
