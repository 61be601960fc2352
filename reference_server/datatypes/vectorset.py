"""The vector set type (Redis 8's built-in `vectorset` module): elements with a vector, an optional attribute
string, and a proximity graph over them.

What is exact and what is not:

- Stored vectors are exact: each vector is normalised, then kept as floats (NOQUANT), int8 quants with their range
  (Q8, the default) or sign bits (BIN), computed in float32 as Redis does (vector_math.py), so VEMB, VEMB RAW and
  every distance agree with Redis bit for bit.
- Search is exhaustive: VSIM scans every element and keeps the best `ef` with the priority-queue rules of Redis's
  hnsw.c (the order among equal distances included), which is what Redis's linear scan (TRUTH) returns, and what
  its graph search returns whenever that search reaches every element (small sets). On large sets Redis's HNSW
  search is approximate and may miss neighbours this one finds; FILTER-EF never cuts this search short. Equal
  distances come out as TRUTH orders them under TRUTH, and newest first otherwise, which is how Redis's graph
  search usually (not always: its graph is random) meets them.
- The graph is Redis's in kind, not in detail: levels are drawn at random (p = 0.25, at most 16) and links are
  chosen among the nearest elements of each layer with hnsw.c's neighbour-selection rules (M links wanted,
  2*M allowed on layer 0, bidirectional), so VLINKS and VINFO max-level have Redis's shape; the levels are random
  in Redis too, so their values can only be compared by shape.
"""
from __future__ import annotations

import bisect
import random
from typing import Iterator

from . import vector_math as vm

Q8, NOQUANT, BIN = "int8", "f32", "bin"  # the names VINFO and VEMB RAW report
DEFAULT_M = 16
MIN_M, MAX_M = 4, 4096
MAX_DIM = 1 << 16
_LEVEL_P = 0.25
_MAX_LEVEL = 16


class Node:
    __slots__ = ("item", "attrib", "vector", "l2", "qrange", "level", "links", "id")

    def __init__(self, item: bytes, attrib: bytes | None, node_id: int, level: int) -> None:
        self.item = item
        self.attrib = attrib
        self.vector: list[float] | list[int] | int = []
        self.l2 = 1.0  # stays 1 for a zero vector, as in Redis
        self.qrange = 0.0
        self.level = level
        self.links: list[list[Node]] = [[] for _ in range(level + 1)]
        self.id = node_id


class Query:
    """A query vector in the set's representation (normalised, then quantised like the stored ones)."""

    __slots__ = ("vector", "qrange")

    def __init__(self, vector, qrange: float) -> None:
        self.vector = vector
        self.qrange = qrange


class VectorSet:
    TYPE = "vectorset"
    copyable = False  # COPY refuses it: the module has no copy callback
    __slots__ = ("dim", "quant", "m", "uid", "nodes", "projection", "projection_input", "entry", "max_level",
                 "last_id", "numattribs", "rng")

    def __init__(self, dim: int, quant: str, m: int, uid: int, rng: random.Random) -> None:
        self.dim = dim
        self.quant = quant
        self.m = m
        self.uid = uid
        self.nodes: dict[bytes, Node] = {}  # insertion order; Redis's node list runs newest first
        self.projection: list[list[float]] | None = None
        self.projection_input = 0
        self.entry: Node | None = None
        self.max_level = 0
        self.last_id = 0
        self.numattribs = 0
        self.rng = rng

    def encoding(self, config=None) -> str:
        return "raw"  # what OBJECT ENCODING says of any module value

    def __len__(self) -> int:
        return len(self.nodes)

    def newest_first(self) -> Iterator[Node]:
        return reversed(self.nodes.values())

    # -- vectors -----------------------------------------------------------------------------------------------
    def set_projection(self, input_dim: int) -> None:
        self.projection = vm.projection_matrix(input_dim, self.dim)
        self.projection_input = input_dim

    def project(self, vec: list[float]) -> list[float]:
        return vm.project(vec, self.projection)

    def _encode(self, vec: list[float]) -> tuple[object, float, float | None]:
        """(stored vector, quantisation range, l2 or None) of a raw vector."""
        normal, l2 = vm.normalize(vec)
        if self.quant == Q8:
            quants, qrange = vm.quantize_q8(normal)
            return quants, qrange, l2
        if self.quant == BIN:
            return vm.quantize_bin(normal), 0.0, l2
        return normal, 0.0, l2

    def query(self, vec: list[float]) -> Query:
        stored, qrange, _ = self._encode(vec)
        return Query(stored, qrange)

    def vector_of(self, node: Node) -> list[float]:
        """The approximate original vector (hnsw_get_node_vector): dequantised and multiplied back by the norm."""
        if self.quant == BIN:
            return [1.0 if node.vector >> j & 1 else -1.0 for j in range(self.dim)]
        values = vm.dequantize_q8(node.vector, node.qrange) if self.quant == Q8 else list(node.vector)
        return [vm.f32(v * node.l2) for v in values]

    def raw_bytes(self, node: Node) -> bytes:
        if self.quant == Q8:
            return bytes(q & 0xFF for q in node.vector)
        if self.quant == BIN:
            return vm.bin_bytes(node.vector, self.dim)
        return vm.to_blob(node.vector)

    def distance(self, a, b) -> float:
        """Distance between two nodes or queries (0 = same direction, 2 = opposite)."""
        if self.quant == Q8:
            return vm.distance_q8(a.vector, b.vector, a.qrange, b.qrange)
        if self.quant == BIN:
            return vm.distance_bin(a.vector, b.vector, self.dim)
        return vm.distance_float(a.vector, b.vector)

    # -- elements ----------------------------------------------------------------------------------------------
    def insert(self, item: bytes, vec: list[float], attrib: bytes | None, ef: int) -> Node:
        self.last_id += 1
        node = Node(item, attrib, self.last_id, self._random_level())
        node.vector, node.qrange, l2 = self._encode(vec)
        if l2 is not None:
            node.l2 = l2
        self._link_new(node, ef)
        self.nodes[item] = node
        if attrib is not None:
            self.numattribs += 1
        return node

    def update(self, node: Node, vec: list[float], attrib: bytes | None, ef: int) -> None:
        """VADD of an existing element: Redis deletes the node and inserts a new one (a new node id), keeping the
        attribute unless a new one is given (an empty one removes it)."""
        kept = node.attrib
        self.remove(node.item)
        if attrib is not None:
            kept = attrib or None
        self.insert(node.item, vec, kept, ef)

    def remove(self, item: bytes) -> bool:
        node = self.nodes.pop(item, None)
        if node is None:
            return False
        if node.attrib is not None:
            self.numattribs -= 1
        self._unlink(node)
        return True

    def set_attribute(self, node: Node, attrib: bytes) -> None:
        if not attrib:
            if node.attrib is not None:
                self.numattribs -= 1
            node.attrib = None
            return
        if node.attrib is None:
            self.numattribs += 1
        node.attrib = attrib

    # -- search ------------------------------------------------------------------------------------------------
    def search(self, query: Query, ef: int, accept=None, linear: bool = False) -> list[tuple[Node, float]]:
        """The best `ef` elements by distance, best first, pushed into a queue kept like hnsw.c's pqueue (among
        equal distances the later push comes first, unless the queue was full). `linear` is Redis's TRUTH scan,
        which pushes the newest element first; otherwise the oldest goes first, as a graph search mostly meets
        them (each node lists its links in the order they were made), so ties usually come out newest first."""
        dists: list[float] = []  # ascending
        found: list[Node] = []
        for node in (self.newest_first() if linear else self.nodes.values()):
            if accept is not None and not accept(node):
                continue
            d = self.distance(query, node)
            if len(found) < ef:
                i = bisect.bisect_left(dists, d)
            elif d >= dists[-1]:
                continue
            else:
                dists.pop()
                found.pop()
                i = bisect.bisect_right(dists, d)
            dists.insert(i, d)
            found.insert(i, node)
        return list(zip(found, dists))

    def random_node(self) -> Node:
        return self.rng.choice(list(self.nodes.values()))

    def walk_from(self, start: Node, count: int) -> list[Node]:
        """`count` elements following `start` in the node list (newest to oldest, then again from the newest)."""
        order = list(self.newest_first())
        i = order.index(start)
        return [order[(i + k) % len(order)] for k in range(count)]

    # -- the graph ---------------------------------------------------------------------------------------------
    def _random_level(self) -> int:
        level = 0
        while self.rng.random() < _LEVEL_P and level < _MAX_LEVEL:
            level += 1
        return level

    def _max_links(self, layer: int) -> int:
        return self.m * 2 if layer == 0 else self.m

    def _layer_candidates(self, node: Node, layer: int, ef: int) -> list[tuple[float, Node]]:
        ranked = [(self.distance(node, other), other) for other in self.newest_first() if other.level >= layer]
        ranked.sort(key=lambda pair: pair[0])
        return ranked[:ef]

    def _link_new(self, node: Node, ef: int) -> None:
        if self.entry is None:
            self.entry, self.max_level = node, node.level
            return
        for layer in range(min(node.level, self.max_level), -1, -1):
            candidates = self._layer_candidates(node, layer, ef)
            self._select_neighbors(candidates, node, layer, self.m, 0)
            if layer == 0 and len(node.links[0]) < self.m // 2:
                self._select_neighbors(candidates, node, layer, self.m, 1)
                if len(node.links[0]) < self.m // 4:
                    self._select_neighbors(candidates, node, layer, self.m // 4, 2)
        if node.level > self.max_level:
            self.entry, self.max_level = node, node.level

    def _worst(self, node: Node, layer: int) -> tuple[int, float]:
        worst_idx, worst = 0, 0.0
        for i, other in enumerate(node.links[layer]):
            d = self.distance(node, other)
            if d > worst:
                worst_idx, worst = i, d
        return worst_idx, worst

    def _select_neighbors(self, candidates: list[tuple[float, Node]], node: Node, layer: int, wanted: int,
                          aggressive: int) -> None:
        """hnsw.c's select_neighbors: link to the best candidates that pass the diversity check (relaxed when
        aggressive), replacing a full neighbour's worst link when the new node is closer."""
        links = node.links[layer]
        for dist, other in candidates:
            if other is node:
                continue
            if len(links) >= self._max_links(layer) or len(links) >= wanted:
                return
            if aggressive and other in links:
                continue
            if not aggressive and any(self.distance(other, linked) < dist for linked in links):
                continue
            theirs = other.links[layer]
            if len(theirs) < self._max_links(layer):
                theirs.append(node)
                links.append(other)
                continue
            worst_idx, worst_dist = self._worst(other, layer)
            if not aggressive and dist >= worst_dist:
                continue
            dropped = theirs[worst_idx]
            floor = self.m // 2 if aggressive == 0 else self.m // 4
            if len(dropped.links[layer]) <= floor:
                continue
            dropped.links[layer].remove(other)
            theirs[worst_idx] = node
            links.append(other)

    def _unlink(self, node: Node) -> None:
        for layer, linked in enumerate(node.links):
            for other in linked:
                if node in other.links[layer]:
                    other.links[layer].remove(node)
        if node is self.entry:
            self.entry, self.max_level = None, 0
            for layer in range(node.level, -1, -1):
                if node.links[layer]:
                    self.entry = node.links[layer][0]
                    break
            if self.entry is None:
                for other in self.newest_first():
                    if self.entry is None or other.level >= self.entry.level:
                        self.entry = other
            if self.entry is not None:
                self.max_level = self.entry.level
        for layer, orphans in enumerate(node.links):
            self._reconnect(orphans, layer)

    def _reconnect(self, orphans: list[Node], layer: int) -> None:
        """Pair the former neighbours of a deleted node among themselves, closest pairs first; those left over
        get one more link among the others where one has room."""
        used: set[int] = set()
        pairs = sorted(((self.distance(a, b), i, j) for i, a in enumerate(orphans)
                        for j, b in enumerate(orphans) if i < j and b not in a.links[layer]),
                       key=lambda t: t[0])
        limit = self._max_links(layer)
        for _, i, j in pairs:
            a, b = orphans[i], orphans[j]
            if i in used or j in used or len(a.links[layer]) >= limit or len(b.links[layer]) >= limit:
                continue
            a.links[layer].append(b)
            b.links[layer].append(a)
            used.update((i, j))
        for i, a in enumerate(orphans):
            if i in used or len(a.links[layer]) >= limit:
                continue
            local = sorted(((self.distance(a, b), b) for b in orphans
                            if b is not a and len(b.links[layer]) < limit), key=lambda t: t[0])
            self._select_neighbors(local, a, layer, len(a.links[layer]) + 1, 1)
