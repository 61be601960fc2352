"""The Lua libraries Redis ships to scripts and functions: cjson (encode/decode, number formatting, sparse arrays,
cjson.null, settings, error texts), cmsgpack (pack/unpack encodings, nesting limit, unpack_one/unpack_limit),
bit (LuaBitOp's 32-bit operations and tohex) and struct (pack/unpack/size format letters, alignment, errors).
Library errors are raised at the script's line, as a C function's are.
"""
from __future__ import annotations

import pytest

from forkdiff.types import array, bulk, bulks, integer

from .asserts import assert_error, assert_null, assert_reply
from .test_scripting import run, script_error


def assert_lib_error(conn, body: str, message: str) -> None:
    assert_error(run(conn, body), script_error("ERR user_script:1: " + message, body))


def test_eval_libraries_are_loaded(conn):
    body = "return {type(cjson), type(cmsgpack), type(bit), type(struct), type(cjson.null), tostring(cjson.null)}"
    assert_reply(run(conn, body), bulks("table", "table", "table", "table", "userdata", "userdata: (nil)"))
    assert_reply(run(conn, "return {cjson._NAME, cjson._VERSION, cmsgpack._VERSION}"),
                 bulks("cjson", "2.1.0", "lua-cmsgpack 0.4.0"))


def test_eval_libraries_are_read_only(conn):
    assert_error(run(conn, "cjson.x = 1"), code="ERR")
    assert_error(run(conn, "bit.band = nil"), code="ERR")


# -- cjson ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("body, expected", [
    ("return cjson.encode({1,2,{a=1}})", '[1,2,{"a":1}]'),
    ("return cjson.encode({})", "{}"),
    ("return cjson.encode(cjson.decode('[]'))", "{}"),
    ("return cjson.encode({[1]=1,[3]=3})", "[1,null,3]"),
    ("return cjson.encode({1/3, 1e300, -0.0, 123456789012345678, 0.1, 1e-7})",
     "[0.33333333333333,1e+300,-0,1.2345678901235e+17,0.1,1e-07]"),
    ("return cjson.encode('a\"b/c\\\\d\\n\\1\\127')", '"a\\"b\\/c\\\\d\\n\\u0001\\u007f"'),
    ("return cjson.encode({t=true})", '{"t":true}'),
    ("return cjson.encode({n=cjson.null})", '{"n":null}'),
    ("return cjson.encode({[2.5]='x'})", '{"2.5":"x"}'),
    ("return cjson.encode(nil)", "null"),
])
def test_eval_cjson_encode(conn, body, expected):
    assert_reply(run(conn, body), bulk(expected))


@pytest.mark.parametrize("body, message", [
    ("return cjson.encode({[1]=1,[30]=3})", "Cannot serialise table: excessively sparse array"),
    ("return cjson.encode(0/0)", "Cannot serialise number: must not be NaN or Inf"),
    ("return cjson.encode({[true]=1})", "Cannot serialise boolean: table key must be a number or string"),
    ("return cjson.encode(type)", "Cannot serialise function: type not supported"),
    ("return cjson.encode()", "bad argument #1 to 'encode' (expected 1 argument)"),
    ("local t = {} local c = t for i=1,1001 do c[1] = {} c = c[1] end return cjson.encode(t)",
     "Cannot serialise, excessive nesting (1001)"),
    ("return cjson.encode_number_precision(20)",
     "bad argument #1 to 'encode_number_precision' (expected integer between 1 and 14)"),
])
def test_eval_cjson_encode_errors(conn, body, message):
    assert_lib_error(conn, body, message)


def test_eval_cjson_decode(conn):
    body = ("local t = cjson.decode('{\"a\":[1,2.5,{\"b\":null}],\"c\":\"x\\\\u00e9\\\\ud83d\\\\ude00\",\"d\":true}') "
            "return {t.a[1], tostring(t.a[2]), type(t.a[3].b), t.c, tostring(t.d)}")
    assert_reply(run(conn, body), array(integer(1), bulk("2.5"), bulk("userdata"),
                                        bulk("x\u00e9\U0001F600".encode()), bulk("true")))
    assert_reply(run(conn, "return cjson.decode('[1,2,3]')"), array(integer(1), integer(2), integer(3)))
    assert_reply(run(conn, "return tostring(cjson.decode('0x10'))"), bulk("16"))
    assert_reply(run(conn, "return tostring(cjson.decode('1.5e3'))"), bulk("1500"))
    assert_null(run(conn, "return cjson.decode('null')"), conn.resp)


@pytest.mark.parametrize("body, message", [
    ("return cjson.decode('[1,2')", "Expected comma or array end but found T_END at character 5"),
    ("return cjson.decode('{\"a\" 1}')", "Expected colon but found T_NUMBER at character 6"),
    ("return cjson.decode('\"abc')", "Expected value but found unexpected end of string at character 5"),
    ("return cjson.decode('\"a\\\\qb\"')", "Expected value but found invalid escape code at character 3"),
    ("return cjson.decode('')", "Expected value but found T_END at character 1"),
    ("return cjson.decode('[1] x')", "Expected the end but found invalid token at character 5"),
    ("return cjson.decode('[' .. string.rep('[', 1000) .. string.rep(']', 1001))",
     "Found too many nested data structures (1001) at character 1001"),
])
def test_eval_cjson_decode_errors(conn, body, message):
    assert_lib_error(conn, body, message)


def test_eval_cjson_settings_and_new(conn):
    body = ("return {cjson.encode_max_depth(), cjson.decode_max_depth(), cjson.encode_number_precision(), "
            "tostring(cjson.encode_keep_buffer()), tostring(cjson.encode_invalid_numbers()), "
            "tostring(cjson.decode_invalid_numbers())}")
    assert_reply(run(conn, body), array(integer(1000), integer(1000), integer(14), bulk("true"), bulk("false"),
                                        bulk("true")))
    body = "local c = cjson.new() c.encode_number_precision(3) return {c.encode(1/3), cjson.encode(1/3)}"
    assert_reply(run(conn, body), bulks("0.333", "0.33333333333333"))


# -- cmsgpack -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("body, expected", [
    ("return cmsgpack.pack({1,2,3})", "93010203"),
    ("return cmsgpack.pack(1, -1, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296)",
     "01ff7fcc80ccffcd0100cdffffce00010000ceffffffffcf0000000100000000"),
    ("return cmsgpack.pack(-32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649)",
     "e0d0dfd080d1ff7fd18000d2ffff7fffd280000000d3ffffffff7fffffff"),
    ("return cmsgpack.pack(1.5, 0.1, 1/0, 2^63, 1e20)",
     "ca3fc00000cb3fb999999999999aca7f800000ca5f000000cb4415af1d78b58c40"),
    ("return cmsgpack.pack('', 'abc', true, false, nil)", "a0a3616263c3c2c0"),
    ("return cmsgpack.pack(string.rep('x', 32))", "d920" + "78" * 32),
    ("return cmsgpack.pack({}, {a=1}, {1,nil,3}, {[2]=1})", "9081a16101820101030381020" + "1"),
    ("local t = {} local c = t for i=1,20 do c[1] = {} c = c[1] end return cmsgpack.pack(t)", "91" * 16 + "c0"),
])
def test_eval_cmsgpack_pack(conn, body, expected):
    assert_reply(run(conn, body), bulk(bytes.fromhex(expected)))


def test_eval_cmsgpack_unpack(conn):
    body = "return {cmsgpack.unpack(cmsgpack.pack(1, 'a', {1,2}, true, -5))}"
    assert_reply(run(conn, body), array(integer(1), bulk("a"), array(integer(1), integer(2)), integer(1),
                                        integer(-5)))
    assert_reply(run(conn, "return cmsgpack.unpack(cmsgpack.pack({k='v'})).k"), bulk("v"))
    assert_reply(run(conn, "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3))}"), array(integer(1), integer(1)))
    assert_reply(run(conn, "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 2)}"),
                 array(integer(-1), integer(3)))
    assert_reply(run(conn, "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2, 1)}"),
                 array(integer(-1), integer(2), integer(3)))


@pytest.mark.parametrize("body, message", [
    ("return cmsgpack.pack()", "bad argument #0 to 'pack' (MessagePack pack needs input.)"),
    ("return cmsgpack.unpack('\\147\\1')", "Missing bytes in input."),
    ("return cmsgpack.unpack('\\193')", "Bad data format in input."),
    ("return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 10)}", "Start offset 10 greater than input length 3."),
])
def test_eval_cmsgpack_errors(conn, body, message):
    assert_lib_error(conn, body, message)


# -- bit ------------------------------------------------------------------------------------------------------------
def test_eval_bit_operations(conn):
    body = ("return {bit.tobit(0xffffffff), bit.tobit(2^32+5), bit.tobit(1.5), bit.tobit(2.5), bit.tobit(-1.5), "
            "bit.bnot(0), bit.band(0xff, 0x0f, 0x3), bit.bor(1,2,4), bit.bxor(3,1), bit.lshift(1, 31), "
            "bit.lshift(1, 33), bit.rshift(-1, 28), bit.arshift(-256, 4), bit.rol(0x12345678, 8), "
            "bit.ror(0x12345678, 8), bit.bswap(0x12345678)}")
    expected = [-1, 5, 2, 2, -2, -1, 3, 7, 2, -2147483648, 2, 15, -16, 878082066, 2014458966, 2018915346]
    assert_reply(run(conn, body), array(*map(integer, expected)))


def test_eval_bit_tohex(conn):
    body = ("return {bit.tohex(65535), bit.tohex(-1), bit.tohex(255, 2), bit.tohex(255, -4), bit.tohex(255, 20), "
            "bit.tohex(1, 0), bit.tohex('10')}")
    assert_reply(run(conn, body), bulks("0000ffff", "ffffffff", "ff", "00FF", "000000ff", "", "0000000a"))


@pytest.mark.parametrize("body, message", [
    ("return bit.tohex('x')", "bad argument #1 to 'tohex' (number expected, got string)"),
    ("return bit.band()", "bad argument #1 to 'band' (number expected, got no value)"),
    ("return bit.lshift(1)", "bad argument #2 to 'lshift' (number expected, got no value)"),
    ("return bit.bor(1, {})", "bad argument #2 to 'bor' (number expected, got table)"),
])
def test_eval_bit_errors(conn, body, message):
    assert_lib_error(conn, body, message)


# -- struct ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("body, expected", [
    ("return struct.pack('>I2', 258)", "0102"),
    ("return struct.pack('<i4', -2)", "feffffff"),
    ("return struct.pack('bBhHlLT', -1, 255, -2, 65535, -3, 4, 5)",
     "fffffeffffff" + "fdffffffffffffff" + "0400000000000000" + "0500000000000000"),
    ("return struct.pack('!4 b i4', 1, 2)", "0100000002000000"),
    ("return struct.pack('c3', 'abcdef')", "616263"),
    ("return struct.pack('s', 'hi')", "686900"),
    ("return struct.pack('<f', 1.5)", "0000c03f"),
    ("return struct.pack('>d', 0.1)", "3fb999999999999a"),
    ("return struct.pack(' < I3', 65536)", "000001"),
])
def test_eval_struct_pack(conn, body, expected):
    assert_reply(run(conn, body), bulk(bytes.fromhex(expected)))


def test_eval_struct_unpack_and_size(conn):
    assert_reply(run(conn, "return {struct.unpack('bBhH', struct.pack('bBhH', -1, 255, -2, 65535))}"),
                 array(integer(-1), integer(255), integer(-2), integer(65535), integer(7)))
    assert_reply(run(conn, "return {struct.unpack('b c0 s', struct.pack('b c0 s', 3, 'abc', 'zz'))}"),
                 array(bulk("abc"), bulk("zz"), integer(8)))
    assert_reply(run(conn, "return {struct.unpack('>I2', 'abcd', 3)}"), array(integer(25444), integer(5)))
    assert_reply(run(conn, "return {struct.size('bhi'), struct.size('!bhi'), struct.size('!4 b d'), "
                           "struct.size('i7 c5')}"), array(integer(7), integer(8), integer(12), integer(12)))


@pytest.mark.parametrize("body, message", [
    ("return struct.pack('q', 1)", "bad argument #1 to 'pack' (invalid format option 'q')"),
    ("return struct.pack('i33', 1)", "integral size 33 is larger than limit of 32"),
    ("return struct.pack('!3 i', 1)", "alignment 3 is not a power of 2"),
    ("return struct.pack('c5', 'ab')", "bad argument #3 to 'pack' (string too short)"),
    ("return struct.pack('i')", "bad argument #2 to 'pack' (number expected, got nil)"),
    ("return struct.unpack('i4', 'ab')", "bad argument #2 to 'unpack' (data string too short)"),
    ("return struct.unpack('i4', 'abcd', 0)", "bad argument #3 to 'unpack' (offset must be 1 or greater)"),
    ("return struct.unpack('s', 'abc')", "unfinished string in data"),
    ("return struct.unpack('c0', 'abc')", "format 'c0' needs a previous size"),
    ("return struct.size('s')", "bad argument #1 to 'size' (option 's' has no fixed size)"),
])
def test_eval_struct_errors(conn, body, message):
    assert_lib_error(conn, body, message)


# -- in functions ---------------------------------------------------------------------------------------------------
@pytest.mark.since("7.0")
def test_fcall_functions_use_the_libraries(conn):
    code = ("#!lua name=libs\n"
            "redis.register_function('enc', function(keys, args) return cjson.encode(cjson.decode(args[1])) end)\n"
            "redis.register_function('hex', function(keys, args) return bit.tohex(tonumber(args[1]), 4) end)")
    conn.call("FUNCTION", "FLUSH")
    try:
        assert_reply(conn.call("FUNCTION", "LOAD", code), bulk("libs"))
        assert_reply(conn.call("FCALL", "enc", "0", '[1,"a",{"b":[]}]'), bulk('[1,"a",{"b":{}}]'))
        assert_reply(conn.call("FCALL", "hex", "0", "4095"), bulk("0fff"))
        assert_error(conn.call("FUNCTION", "LOAD", "#!lua name=x\nlocal j = cjson.encode({})"),
                     "ERR Error registering functions: ERR user_function:2: Script attempted to access "
                     "nonexistent global variable 'cjson'")
    finally:
        conn.call("FUNCTION", "FLUSH")
