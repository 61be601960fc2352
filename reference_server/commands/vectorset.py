"""Vector sets (Redis 8's built-in `vectorset` module): VADD, VREM, VCARD, VDIM, VEMB, VGETATTR, VSETATTR, VINFO,
VISMEMBER, VLINKS, VRANDMEMBER, VSIM.

The module checks its own arity (the spec says -1) and names itself in upper case in those errors. Commands that
open the key for writing (VADD once its options parse, VREM, VSETATTR) touch WATCHers even when nothing changes or
an error follows, as a module key closed after a write-open does; no command sends keyspace events. VADD's CAS and
VSIM's NOTHREAD only choose threads in Redis: here everything runs inline with the same replies.

Byte-identical with Redis: every error, reply type and stored value (VEMB, VEMB RAW, VGETATTR, VCARD, VDIM,
VISMEMBER), VINFO's fields but max-level and vset-uid, VSIM on sets its search covers entirely (see
datatypes/vectorset.py). Shape only, because Redis draws them at random: VLINKS (levels and links), VINFO
max-level, VRANDMEMBER's picks; VINFO vset-uid counts the vector sets this server has created.
"""
from __future__ import annotations

import itertools

from .. import errors
from ..datatypes import vector_math as vm
from ..datatypes.vectorset import BIN, MAX_DIM, MAX_M, MIN_M, NOQUANT, Q8, DEFAULT_M, VectorSet
from ..datatypes.vset_filter import FilterSyntaxError, compile_filter, run_filter
from ..errors import CommandError, WRONGTYPE
from ..replies import NULL_ARRAY, Bool, Double, Map
from ..util import c_string, string2d, string2ll
from . import command
from .generic_keys import read_typed

_DEFAULT_BUILD_EF = 200
_DEFAULT_SEARCH_EF = 100
_DEFAULT_COUNT = 10
_MAX_EF = 1_000_000


def _arity(name: str) -> CommandError:
    return CommandError(errors.WRONG_ARITY % name)


def _read(engine, client, key: bytes) -> VectorSet | None:
    """A reading command's key (the module opens it for reading): a keyspace hit or miss."""
    return read_typed(engine, engine.db(client), key, VectorSet)


def _for_write(engine, client, key: bytes) -> VectorSet | None:
    """A writing command's key (VADD, VREM, VSETATTR open it for writing)."""
    value = engine.db(client).get(key)
    if value is not None and not isinstance(value, VectorSet):
        raise CommandError(WRONGTYPE)
    return value


def _module_double(arg: bytes) -> float | None:
    """RedisModule_StringToDouble (getDoubleFromObject): strtod's text, NaN refused, and overflow or underflow to
    zero refused too."""
    value = string2d(arg)
    if value is None:
        return None
    text = arg.lower().lstrip(b"+-")
    if value in (float("inf"), float("-inf")) and not text.startswith(b"inf"):
        return None  # overflow
    if value == 0:
        mantissa = text[2:].split(b"p")[0] if text.startswith(b"0x") else text.split(b"e")[0]
        if mantissa.strip(b"0.x"):
            return None  # underflow
    return value


class _Vector:
    __slots__ = ("values", "dim", "reduce", "consumed")

    def __init__(self, values: list[float], dim: int, reduce: int, consumed: int) -> None:
        self.values, self.dim, self.reduce, self.consumed = values, dim, reduce, consumed


def _parse_vector(argv: list[bytes], start: int, allow_reduce: bool) -> _Vector | None:
    """vset.c's parseVector: [REDUCE dim] FP32 blob | VALUES n v1..vn; None for any malformed part. Redis 8.2
    accepts a REDUCE target larger than the vector (later versions refuse it)."""
    argc = len(argv)
    consumed = reduce = 0
    if allow_reduce and argc > start + 2 and argv[start].lower() == b"reduce":
        reduce = string2ll(argv[start + 1])
        if reduce is None or reduce <= 0:
            return None
        start += 2
        consumed += 2
    kind = c_string(argv[start]).lower()
    if kind == b"fp32":
        if argc < start + 2:
            return None
        blob = argv[start + 1]
        if len(blob) % 4 or len(blob) < 4 or len(blob) // 4 > MAX_DIM:
            return None
        values = vm.from_blob(blob)
        consumed += 2
    elif kind == b"values":
        if argc < start + 2:
            return None
        dim = string2ll(argv[start + 1])
        if dim is None or not 1 <= dim <= MAX_DIM or argc < start + 2 + dim:
            return None
        values = []
        for arg in argv[start + 2:start + 2 + dim]:
            v = _module_double(arg)
            if v is None:
                return None
            values.append(vm.f32(v))
        consumed += dim + 2
    else:
        return None
    return _Vector(values, len(values), reduce, consumed)


# -- VADD --------------------------------------------------------------------------------------------------------
class _AddOptions:
    __slots__ = ("ef", "m", "attrib", "quant")

    def __init__(self) -> None:
        self.ef = _DEFAULT_BUILD_EF
        self.m = DEFAULT_M
        self.attrib: bytes | None = None
        self.quant = Q8


def _add_options(argv: list[bytes], j: int) -> _AddOptions:
    opts = _AddOptions()
    argc = len(argv)
    while j < argc:
        opt = c_string(argv[j]).lower()
        if opt == b"cas":
            pass
        elif opt == b"ef" and j + 1 < argc:
            opts.ef = string2ll(argv[j + 1])
            if opts.ef is None or not 0 < opts.ef <= _MAX_EF:
                raise CommandError(errors.VSET_BAD_EF)
            j += 1
        elif opt == b"m" and j + 1 < argc:
            opts.m = string2ll(argv[j + 1])
            if opts.m is None or not MIN_M <= opts.m <= MAX_M:
                raise CommandError(errors.VSET_BAD_M)
            j += 1
        elif opt == b"setattr" and j + 1 < argc:
            opts.attrib = argv[j + 1]
            j += 1
        elif opt in (b"noquant", b"bin", b"q8"):
            opts.quant = {b"noquant": NOQUANT, b"bin": BIN, b"q8": Q8}[opt]
        else:
            raise CommandError(errors.VSET_BAD_OPTION_AFTER_ELEMENT)
        j += 1
    return opts


def _new_set(engine, vec: _Vector, opts: _AddOptions) -> VectorSet:
    uids = engine.extensions.setdefault("vectorset_uids", itertools.count())
    vset = VectorSet(vec.reduce or vec.dim, opts.quant, opts.m, next(uids), engine.rng)
    if vec.reduce:
        vset.set_projection(vec.dim)
    return vset


def _fit_existing(vset: VectorSet, vec: _Vector, opts: _AddOptions) -> list[float]:
    """The checks VADD makes against an existing set, in Redis's order; the vector to store."""
    if vset.quant != opts.quant:
        raise CommandError(errors.VSET_QUANT_MISMATCH)
    if vset.m != opts.m:
        raise CommandError(errors.VSET_M_MISMATCH)
    if (vset.projection is None and vset.dim != vec.dim) or (vset.projection is not None and vset.dim != vec.reduce):
        raise CommandError(errors.VSET_DIM_MISMATCH % (vec.dim, vset.dim))
    if vec.reduce:
        if vset.projection is None:
            raise CommandError(errors.VSET_NO_PROJECTION)
        if vec.reduce != vset.dim:
            raise CommandError(errors.VSET_PROJECTION_MISMATCH)
    if vset.projection is not None:
        if vec.dim != vset.projection_input:
            raise CommandError(errors.VSET_PROJECTION_INPUT % (vec.dim, vset.projection_input))
        return vset.project(vec.values)
    return vec.values


@command("vadd")
def vadd(engine, client, argv):
    if len(argv) < 5:
        raise _arity("VADD")
    vec = _parse_vector(argv, 2, True)
    if vec is None:
        raise CommandError(errors.VSET_BAD_VECTOR)
    if len(argv) - 2 - vec.consumed < 1:
        raise _arity("VADD")
    opts = _add_options(argv, 2 + vec.consumed + 1)
    db = engine.db(client)
    key, element = argv[1], argv[2 + vec.consumed]
    db.signal(key)  # the key is open for writing from here on, whatever follows
    vset = _for_write(engine, client, key)
    if vset is None:
        vset = _new_set(engine, vec, opts)
        values = vset.project(vec.values) if vec.reduce else vec.values
        vset.insert(element, values, opts.attrib, opts.ef)
        db.add(key, vset)
        return Bool(True)
    values = _fit_existing(vset, vec, opts)
    node = vset.nodes.get(element)
    if node is not None:
        vset.update(node, values, opts.attrib, opts.ef)
        return Bool(False)
    vset.insert(element, values, opts.attrib, opts.ef)
    return Bool(True)


# -- small reads and writes --------------------------------------------------------------------------------------
@command("vrem")
def vrem(engine, client, argv):
    if len(argv) != 3:
        raise _arity("VREM")
    db = engine.db(client)
    db.signal(argv[1])
    vset = _for_write(engine, client, argv[1])
    if vset is None or not vset.remove(argv[2]):
        return Bool(False)
    if not len(vset):
        db.delete(argv[1])
    return Bool(True)


@command("vcard")
def vcard(engine, client, argv):
    if len(argv) != 2:
        raise _arity("VCARD")
    vset = _read(engine, client, argv[1])
    return len(vset) if vset is not None else 0


@command("vdim")
def vdim(engine, client, argv):
    if len(argv) != 2:
        raise _arity("VDIM")
    vset = _read(engine, client, argv[1])
    if vset is None:
        raise CommandError(errors.VSET_NO_KEY)
    return vset.dim


@command("vismember")
def vismember(engine, client, argv):
    if len(argv) != 3:
        raise _arity("VISMEMBER")
    vset = _read(engine, client, argv[1])
    return Bool(vset is not None and argv[2] in vset.nodes)


@command("vemb")
def vemb(engine, client, argv):
    if len(argv) < 3:
        raise _arity("VEMB")
    raw = False
    for opt in argv[3:]:
        if c_string(opt).lower() != b"raw":
            raise CommandError(errors.VSET_BAD_VEMB_OPTION)
        raw = True
    vset = _read(engine, client, argv[1])
    node = vset.nodes.get(argv[2]) if vset is not None else None
    if node is None:
        return None
    if raw:
        reply = [vset.quant, vset.raw_bytes(node), Double(node.l2)]
        if vset.quant == Q8:
            reply.append(Double(node.qrange))
        return reply
    return [Double(v) for v in vset.vector_of(node)]


@command("vsetattr")
def vsetattr(engine, client, argv):
    if len(argv) != 4:
        raise _arity("VSETATTR")
    engine.db(client).signal(argv[1])
    vset = _for_write(engine, client, argv[1])
    node = vset.nodes.get(argv[2]) if vset is not None else None
    if node is None:
        return Bool(False)
    vset.set_attribute(node, argv[3])
    return Bool(True)


@command("vgetattr")
def vgetattr(engine, client, argv):
    if len(argv) != 3:
        raise _arity("VGETATTR")
    vset = _read(engine, client, argv[1])
    node = vset.nodes.get(argv[2]) if vset is not None else None
    return None if node is None else node.attrib


@command("vinfo")
def vinfo(engine, client, argv):
    if len(argv) != 2:
        raise _arity("VINFO")
    vset = _read(engine, client, argv[1])
    if vset is None:
        return NULL_ARRAY
    return Map([("quant-type", vset.quant), ("hnsw-m", vset.m), ("vector-dim", vset.dim),
                ("projection-input-dim", vset.projection_input), ("size", len(vset)),
                ("max-level", vset.max_level), ("attributes-count", vset.numattribs),
                ("vset-uid", vset.uid), ("hnsw-max-node-uid", vset.last_id)])


@command("vlinks")
def vlinks(engine, client, argv):
    """The element's links per level, highest first; scores are similarities rounded to float, as Redis does."""
    if not 3 <= len(argv) <= 4:
        raise _arity("VLINKS")
    withscores = len(argv) == 4
    if withscores and c_string(argv[3]).lower() != b"withscores":
        raise _arity("VLINKS")
    vset = _read(engine, client, argv[1])
    node = vset.nodes.get(argv[2]) if vset is not None else None
    if node is None:
        return None
    levels = []
    for layer in range(node.level, -1, -1):
        linked = node.links[layer]
        if withscores:
            levels.append(Map((other.item, Double(vm.f32(vm.similarity(vset.distance(node, other)))))
                              for other in linked))
        else:
            levels.append([other.item for other in linked])
    return levels


@command("vrandmember")
def vrandmember(engine, client, argv):
    """Random elements: the picks are random in Redis too (a random walk on the graph), so only their number,
    uniqueness and membership can be compared."""
    if len(argv) not in (2, 3):
        raise _arity("VRANDMEMBER")
    with_count = len(argv) == 3
    count = 1
    if with_count:
        count = string2ll(argv[2])
        if count is None:
            raise CommandError(errors.VSET_COUNT_NOT_INTEGER)
        if count == 0:
            return []
    vset = _read(engine, client, argv[1])
    if vset is None or not len(vset):
        return [] if with_count else None
    if not with_count:
        return vset.random_node().item
    if count < 0:
        return [vset.random_node().item for _ in range(-count)]
    count = min(count, len(vset))
    if count <= len(vset) * 0.2:
        picked: dict[bytes, None] = {}
        while len(picked) < count:
            picked.setdefault(vset.random_node().item)
        return list(picked)
    return [node.item for node in vset.walk_from(vset.random_node(), count)]


# -- VSIM --------------------------------------------------------------------------------------------------------
class _SimOptions:
    __slots__ = ("withscores", "withattribs", "count", "ef", "epsilon", "truth", "filter", "filter_ef")

    def __init__(self) -> None:
        self.withscores = self.withattribs = self.truth = False
        self.count = _DEFAULT_COUNT
        self.ef = 0
        self.epsilon = 2.0
        self.filter = None
        self.filter_ef = 0


def _positive(arg: bytes, limit: int | None, message: str) -> int:
    value = string2ll(arg)
    if value is None or value <= 0 or (limit is not None and value > limit):
        raise CommandError(message)
    return value


def _sim_options(argv: list[bytes], j: int) -> _SimOptions:
    opts = _SimOptions()
    argc = len(argv)
    while j < argc:
        opt = c_string(argv[j]).lower()
        has_value = j + 1 < argc
        if opt in (b"withscores", b"withattribs", b"truth", b"nothread"):
            if opt == b"withscores":
                opts.withscores = True
            elif opt == b"withattribs":
                opts.withattribs = True
            elif opt == b"truth":
                opts.truth = True
            j += 1
            continue
        if not has_value or opt not in (b"count", b"epsilon", b"ef", b"filter-ef", b"filter"):
            raise CommandError(errors.VSET_VSIM_SYNTAX)
        value = argv[j + 1]
        if opt == b"count":
            opts.count = _positive(value, None, errors.VSET_BAD_COUNT)
        elif opt == b"epsilon":
            eps = _module_double(value)
            if eps is None or eps <= 0:
                raise CommandError(errors.VSET_BAD_EPSILON)
            opts.epsilon = vm.f32(eps)
        elif opt == b"ef":
            opts.ef = _positive(value, None, errors.VSET_BAD_EF)  # no upper bound here, unlike VADD's
        elif opt == b"filter-ef":
            opts.filter_ef = _positive(value, None, errors.VSET_BAD_FILTER_EF)
        else:
            text = c_string(value)
            try:
                opts.filter = compile_filter(text)
            except FilterSyntaxError as exc:
                near = text[exc.position:] if exc.position < len(text) else text
                raise CommandError(errors.VSET_FILTER_SYNTAX % near.decode("utf-8", "surrogateescape"))
        j += 2
    return opts


def _query_vector(vset: VectorSet, argv: list[bytes]) -> tuple[list[float], int]:
    """The query vector and how many arguments it took (ELE element | FP32 blob | VALUES n ...)."""
    if argv[2].lower() == b"ele":
        node = vset.nodes.get(argv[3])
        if node is None:
            raise CommandError(errors.VSET_ELEMENT_NOT_FOUND)
        return vset.vector_of(node), 2
    vec = _parse_vector(argv, 2, False)
    if vec is None:
        raise CommandError(errors.VSET_BAD_VECTOR)
    values = vec.values
    if vset.projection is not None and vec.dim != vset.dim:
        if vec.dim != vset.projection_input:
            raise CommandError(errors.VSET_PROJECTION_INPUT % (vec.dim, vset.projection_input))
        values = vset.project(values)
    if len(values) != vset.dim:
        raise CommandError(errors.VSET_DIM_MISMATCH % (len(values), vset.dim))
    return values, vec.consumed


@command("vsim")
def vsim(engine, client, argv):
    """Similar elements, best first. The search is exhaustive (see datatypes/vectorset.py): identical to Redis's
    TRUTH scan, and to its graph search wherever that reaches every element."""
    if len(argv) < 4:
        raise _arity("VSIM")
    vset = _read(engine, client, argv[1])
    if vset is None:
        return []
    values, used = _query_vector(vset, argv)
    opts = _sim_options(argv, 2 + used)
    ef = max(opts.ef or _DEFAULT_SEARCH_EF, opts.count)
    ef = min(ef, len(vset))
    accept = None
    if opts.filter is not None:
        program = opts.filter
        accept = lambda node: node.attrib is not None and run_filter(program, node.attrib)  # noqa: E731
    found = vset.search(vset.query(values), ef, accept, linear=opts.truth)
    hits = []
    for node, distance in found[:opts.count]:
        if distance / 2 > opts.epsilon:
            break
        hits.append((node, distance))
    return _sim_reply(client.resp, hits, opts)


def _sim_reply(resp: int, hits: list, opts: _SimOptions):
    def extras(node, distance) -> list:
        out = []
        if opts.withscores:
            out.append(Double(vm.similarity(distance)))
        if opts.withattribs:
            out.append(node.attrib)
        return out

    if resp == 3 and (opts.withscores or opts.withattribs):
        both = opts.withscores and opts.withattribs
        return Map((node.item, extras(node, d) if both else extras(node, d)[0]) for node, d in hits)
    flat = []
    for node, d in hits:
        flat.append(node.item)
        flat.extend(extras(node, d))
    return flat
