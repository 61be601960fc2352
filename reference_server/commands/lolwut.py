"""LOLWUT [VERSION v] [...]: Redis 8.2's art per version. Version 8 (the default) composes a stanza with Balestrini's
TAPE MARK I rules, version 5 draws Georg Nees's Schotter in braille dots, and versions without a piece of their own
print the version line. The random draws are the engine's, so only the shape is Redis's, never the exact picture.
"""
from __future__ import annotations

import math

from .. import errors
from ..errors import CommandError
from ..replies import Verbatim
from ..util import string2ll
from . import command

VERSION = "8.2.3"
_LONG = (-(1 << 63), (1 << 63) - 1)


@command("lolwut")
def lolwut(engine, client, argv):
    version, args = VERSION, argv[1:]
    if len(argv) >= 3 and argv[1].lower() == b"version":
        number = _long(argv[2])
        version, args = f"{number & 0xFFFFFFFF}.0.0", argv[3:]
    major = version.split(".")[0]
    if major == "8":
        return Verbatim(_poem(engine.rng, italian=bool(args) and args[0].lower() == b"it").encode())
    if (major == "5" and not version.startswith("5.9")) or version.startswith("4.9"):
        return Verbatim(_schotter(engine.rng, args).encode())
    return Verbatim(f"Redis ver. {VERSION}\n".encode())


def _long(arg: bytes) -> int:
    n = string2ll(arg)
    if n is None:
        raise CommandError(errors.NOT_INTEGER)
    return n


# -- version 8: TAPE MARK I ----------------------------------------------------------------------------------------
# (English, Italian, first fraction, second fraction, group): Hiroshima diary, the elevator mystery, Tao Te Ching.
_VERSES = [
    (" The blinding / globe / of fire ", " l accecante   /  globo  /  di fuoco  ", "1/4", "2/3", "1"),
    (" It expands / rapidly ", " si espande   /  rapidamente  ", "1/2", "3/4", "1"),
    (" Thirty times / brighter / than the sun ", " trenta volte  / piu luminoso  / del sole ", "2/3", "2/4", "1"),
    (" When it reaches / the stratosphere ", " quando  raggiunge / la stratosfera  ", "3/4", "1/2", "1"),
    (" The summit / of the cloud ", " la  sommita  /  della nuvola ", "1/3", "2/3", "1"),
    (" Assumes / the well-known shape / of a mushroom ", " assume   / la ben nota forma  / di fungo ",
     "2/4", "3/4", "1"),
    (" The head / pressed / upon the shoulder ", " la testa / premuta  / sulla spalla  ", "1/4", "2/4", "2"),
    (" The hair / between the lips ", " i  capelli   /  tra le labbra ", "1/4", "2/4", "2"),
    (" They lay / motionless / without speaking ", " giacquero  /   immobili / senza parlare ", "2/3", "2/3", "2"),
    (" Till he moved / his fingers / slowly ", " finche non mosse  /  le dita  / lentamente    ", "3/4", "1/3",
     "2"),
    (" Trying / to grasp ", " cercando / di afferrare  ", "3/4", "1/2", "2"),
    (" While the multitude / of things / comes into being ",
     " mentre la moltitudine  /  delle cose  /   accade   ", "1/2", "1/2", "3"),
    (" I envisage / their return ", " io contemplo  /  il loro ritorno    ", "2/3", "3/4", "3"),
    (" Although / things / flourish ", " malgrado / che le cose  /  fioriscano    ", "1/2", "2/3", "3"),
    (" They all return / to / their roots ", " esse tornano  / tutte    / alla loro radice   ", "2/3", "1/4", "3"),
]
_ABOUT = ("\nIn 1961, Nanni Balestrini created one of the first computer-generated poems, TAPE MARK I, using an IBM 7090 "
          "mainframe. Each execution combined verses from three literary sources following algorithmic rules based on "
          "metrical compatibility and group constraints. This LOLWUT command reproduces Balestrini's original "
          "algorithm, generating new stanzas through the same computational poetry process described in Almanacco "
          "Letterario Bompiani, 1962.\n\n"
          "https://en.wikipedia.org/wiki/Digital_poetry\n"
          "https://www.youtube.com/watch?v=8i7uFCK7G0o (English subs)\n\n"
          "Use: LOLWUT IT for the original Italian output.\n\n")


def _fits(verse, previous) -> bool:
    """A verse follows another when its first fraction meets the other's second and its source differs."""
    first, second = verse[2], previous[3]
    return (first[0] == second[0] or first[2] == second[0] or first[2] == second[2]) and verse[4] != previous[4]


def _poem(rng, italian: bool) -> str:
    pool = list(_VERSES)
    rng.shuffle(pool)
    stanza: list[tuple] = []
    while len(stanza) < 10:
        found = next((v for v in pool if not stanza or _fits(v, stanza[-1])), None)
        if found is None:
            break
        stanza.append(found)
        pool.remove(found)
    text = "".join((verse[1] if italian else verse[0]) + "\n" for verse in stanza)
    return text.upper().replace("/", " ") + _ABOUT


# -- version 5: Schotter -------------------------------------------------------------------------------------------
def _schotter(rng, args: list[bytes]) -> str:
    cols, per_row, per_col = 66, 8, 12
    if len(args) > 0:
        cols = _long(args[0])
    if len(args) > 1:
        per_row = _long(args[1])
    if len(args) > 2:
        per_col = _long(args[2])
    cols, per_row, per_col = min(max(cols, 1), 1000), min(max(per_row, 1), 200), min(max(per_col, 1), 200)
    width = cols * 2
    padding = 2 if width > 4 else 0
    side = (width - padding * 2) / per_row
    height = int(side * per_col + padding * 2)
    pixels = bytearray(width * height)
    for y in range(per_col):
        for x in range(per_row):
            sx, sy, angle = int(x * side + side / 2 + padding), int(y * side + side / 2 + padding), 0.0
            if y > 1:
                r1, r2, r3 = (rng.random() / per_col * y * rng.choice((1, -1)) for _ in range(3))
                angle, sx, sy = r1, int(sx + r2 * side / 3), int(sy + r3 * side / 3)
            _square(pixels, width, height, sx, sy, side, angle)
    return _braille(pixels, width, height) + f"\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. {VERSION}\n"


def _square(pixels: bytearray, width: int, height: int, x: int, y: int, size: float, angle: float) -> None:
    size = round(size / 1.4142135623)
    k = math.pi / 4 + angle
    points = []
    for _ in range(4):
        points.append((round(math.sin(k) * size + x), round(math.cos(k) * size + y)))
        k += math.pi / 2
    for j in range(4):
        _line(pixels, width, height, *points[j], *points[(j + 1) % 4])


def _line(pixels: bytearray, width: int, height: int, x1: int, y1: int, x2: int, y2: int) -> None:
    """Bresenham's line; what falls outside the canvas is dropped."""
    dx, dy = abs(x2 - x1), abs(y2 - y1)
    sx, sy = (1 if x1 < x2 else -1), (1 if y1 < y2 else -1)
    err = dx - dy
    while True:
        if 0 <= x1 < width and 0 <= y1 < height:
            pixels[x1 + y1 * width] = 1
        if x1 == x2 and y1 == y2:
            return
        e2 = err * 2
        if e2 > -dy:
            err -= dy
            x1 += sx
        if e2 < dx:
            err += dx
            y1 += sy


_DOTS = ((0, 0, 0), (0, 1, 1), (0, 2, 2), (1, 0, 3), (1, 1, 4), (1, 2, 5), (0, 3, 6), (1, 3, 7))


def _braille(pixels: bytearray, width: int, height: int) -> str:
    """Each 2x4 block of pixels is one braille character (U+2800 plus the dots' bits)."""
    def pixel(x: int, y: int) -> int:
        return pixels[x + y * width] if 0 <= x < width and 0 <= y < height else 0
    rows = []
    for y in range(0, height, 4):
        row = "".join(chr(0x2800 + sum(pixel(x + dx, y + dy) << bit for dx, dy, bit in _DOTS))
                      for x in range(0, width, 2))
        rows.append(row)
    text = ""
    for index, y in enumerate(range(0, height, 4)):
        text += rows[index] + ("\n" if y != height - 1 else "")
    return text
