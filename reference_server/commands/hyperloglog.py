"""HyperLogLog group: PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST.

An HLL is a string in Redis's exact format (see hll.py), so GET returns the bytes Redis would. Commands that
touch an HLL keep it as a `bytearray` the key owns (Redis unshares it: OBJECT ENCODING says "raw").
"""
from __future__ import annotations

from .. import errors, hll
from ..errors import CommandError
from ..hll import Corrupted, HllEditor
from ..notify import notify
from ..replies import Err, Pushes
from . import command
from .bitmap import unshare
from .generic_keys import lookup_read
from .strings import STRING_TYPES, c_string


def _checked(value):
    """A string value that must be an HLL (isHLLObjectOrReply)."""
    if not isinstance(value, STRING_TYPES):
        raise CommandError(errors.WRONGTYPE)
    if not hll.is_hll(value):
        raise CommandError(errors.NOT_HLL)
    return value


def _editor(engine, value: bytearray) -> HllEditor:
    return HllEditor(value, engine.config.get_int("hll-sparse-max-bytes"))


def _merged_registers(engine, db, keys: list[bytes]) -> tuple[list[int], bool]:
    """Register-wise maxima over the HLLs at `keys` (missing keys are empty), and whether any was dense."""
    maxima, any_dense = [0] * hll.REGISTERS, False
    for key in keys:
        value = lookup_read(engine, db, key)
        if value is None:
            continue
        _checked(value)
        any_dense = any_dense or hll.encoding(value) == hll.DENSE
        try:
            hll.merge_registers(maxima, value)
        except Corrupted:
            raise CommandError(errors.HLL_CORRUPTED) from None
    return maxima, any_dense


# -- PFADD -----------------------------------------------------------------------------------------------------------
@command("pfadd")
def pfadd(engine, client, argv):
    key, db = argv[1], engine.db(client)
    value = db.get(key)
    created = value is None
    if created:
        value = hll.new_hll()
        db.set(key, value)
    else:
        value = unshare(db, key, _checked(value))
    editor = _editor(engine, value)
    changed = 0
    try:
        for element in argv[2:]:
            changed += editor.add(element)
    except Corrupted:
        raise CommandError(errors.HLL_CORRUPTED) from None
    finally:
        editor.flush()  # what was added before a corruption was found stays added, as in Redis
    if created or changed:
        hll.invalidate_cache(value)
        db.signal(key)
        notify(engine, db, "$", "pfadd", key)
    return 1 if created or changed else 0


# -- PFCOUNT ---------------------------------------------------------------------------------------------------------
@command("pfcount")
def pfcount(engine, client, argv):
    db = engine.db(client)
    if len(argv) > 2:
        maxima, _ = _merged_registers(engine, db, argv[1:])
        return hll.estimate(hll.histogram_of(maxima))
    key = argv[1]
    value = lookup_read(engine, db, key)
    if value is None:
        return 0
    value = unshare(db, key, _checked(value))
    card = hll.cached_cardinality(value)
    if card is not None:
        return card
    try:
        card = hll.cardinality(value)
    except Corrupted:
        raise CommandError(errors.HLL_CORRUPTED) from None
    hll.store_cardinality(value, card)
    db.signal(key)  # the cache is part of the string: a read that fills it is a write
    return card


# -- PFMERGE ---------------------------------------------------------------------------------------------------------
@command("pfmerge")
def pfmerge(engine, client, argv):
    db, dest = engine.db(client), argv[1]
    maxima, any_dense = _merged_registers(engine, db, argv[1:])
    value = db.get(dest)
    if value is None:
        value = hll.new_hll()
        db.set(dest, value)
    else:
        value = unshare(db, dest, value)
    editor = _editor(engine, value)
    try:
        if any_dense:
            editor.to_dense()
        for index, count in enumerate(maxima):
            if count:
                editor.set(index, count)
    except Corrupted:
        raise CommandError(errors.HLL_CORRUPTED) from None
    finally:
        editor.flush()
    hll.invalidate_cache(value)
    db.signal(dest)
    notify(engine, db, "$", "pfadd", dest)  # as Redis does: a merge is a mass add
    return "OK"


# -- PFDEBUG / PFSELFTEST --------------------------------------------------------------------------------------------
def _decode_text(value) -> bytes:
    """PFDEBUG DECODE: the sparse opcodes as "z:len", "Z:len" and "v:value,len"."""
    words = []
    for kind, count, run in hll.hll_sparse.decode(bytes(value[hll.HEADER_SIZE:])):
        if kind == hll.hll_sparse.VAL:
            words.append(b"v:%d,%d" % (count, run))
        else:
            words.append(b"%s:%d" % (b"Z" if kind == hll.hll_sparse.XZERO else b"z", run))
    return b" ".join(words)


def _pfdebug_to_dense(engine, value) -> bool:
    try:
        return _editor(engine, value).to_dense()
    except Corrupted:
        raise CommandError(errors.HLL_CORRUPTED) from None


@command("pfdebug")
def pfdebug(engine, client, argv):
    if argv[1].lower() == b"simd":
        return _pfdebug_simd(engine, argv)
    db, key = engine.db(client), argv[2]
    value = db.get(key)
    if value is None:
        raise CommandError(errors.PFDEBUG_NO_KEY)
    value = unshare(db, key, _checked(value))
    sub = c_string(argv[1])
    if sub == b"getreg":
        _pfdebug_to_dense(engine, value)
        return hll.dense_registers(value[hll.HEADER_SIZE:])
    if sub == b"decode":
        if hll.encoding(value) != hll.SPARSE:
            raise CommandError(errors.PFDEBUG_NOT_SPARSE)
        return _decode_text(value)
    if sub == b"encoding":
        return "sparse" if hll.encoding(value) == hll.SPARSE else "dense"
    if sub == b"todense":
        return 1 if _pfdebug_to_dense(engine, value) else 0
    raise CommandError(errors.PFDEBUG_UNKNOWN % argv[1].split(b"\0", 1)[0].decode("utf-8", "surrogateescape"))


def _pfdebug_simd(engine, argv):
    """PFDEBUG SIMD ON|OFF: Redis's switch for its AVX2 code paths (the results are the same either way); an
    unknown argument gets an error and then the state, two replies, as Redis 8.2 sends them."""
    if len(argv) != 3:
        raise CommandError(errors.WRONG_ARITY % "pfdebug")
    choice = argv[2].lower()
    if choice in (b"on", b"off"):
        engine.extensions["hll_simd"] = choice == b"on"
    state = "enabled" if engine.extensions.get("hll_simd", True) else "disabled"
    if choice not in (b"on", b"off"):
        return Pushes([Err("ERR Argument must be ON or OFF"), state])
    return state


@command("pfselftest")
def pfselftest(engine, client, argv):
    from ..hll_selftest import self_test
    failure = self_test(engine.rng, engine.config.get_int("hll-sparse-max-bytes"))
    if failure:
        raise CommandError(failure)
    return "OK"
