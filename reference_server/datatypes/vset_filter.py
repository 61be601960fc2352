"""VSIM FILTER expressions, with the semantics of Redis's modules/vector-sets/expr.c and fastjson.c.

An expression is tokenised (numbers, 'strings' or "strings" kept with their backslashes, .selectors, [tuples],
null, operators), compiled to postfix by precedence (`**` right-associative; unary `!`/`not` never stacks on
another unary operator) and run against an element's attribute text: a selector reads one top-level JSON field
(numbers, strings with the escapes \\n \\r \\t \\\\ \\", true/false as 1/0, null, flat arrays); a missing or
unreadable field makes the whole expression false. Errors report the offset Redis reports: where tokenising
stopped, or the start of the expression for errors found while compiling.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

NUM, STR, TUPLE, SELECTOR, OP, NULL = "num", "str", "tuple", "selector", "op", "null"

# name, precedence, arity (expr.c's ExprOptable)
_OPERATORS = {
    b"(": ("(", 7, 0), b")": (")", 7, 0), b"!": ("!", 6, 1), b"not": ("!", 6, 1), b"**": ("**", 5, 2),
    b"*": ("*", 4, 2), b"/": ("/", 4, 2), b"%": ("%", 4, 2), b"+": ("+", 3, 2), b"-": ("-", 3, 2),
    b">": (">", 2, 2), b">=": (">=", 2, 2), b"<": ("<", 2, 2), b"<=": ("<=", 2, 2), b"==": ("==", 2, 2),
    b"!=": ("!=", 2, 2), b"in": ("in", 2, 2), b"and": ("and", 1, 2), b"&&": ("and", 1, 2), b"or": ("or", 0, 2),
    b"||": ("or", 0, 2),
}
_PRECEDENCE = {name: prec for name, prec, _ in _OPERATORS.values()}
_ARITY = {name: arity for name, _, arity in _OPERATORS.values()}
_OP_CHARS = b"+-*%/!()<>=|&"
_SPACES = b" \t\n\v\f\r"
_NUMBER = re.compile(rb"-?(\d+\.?\d*|\.\d+)([eE]\d+)?")
_STRTOD = re.compile(rb"[ \t\n\v\f\r]*([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?(inf|infinity|nan))", re.I)
_STRTOD_HEX = re.compile(rb"[ \t\n\v\f\r]*[+-]?0x[0-9a-f]*\.?[0-9a-f]*(p[+-]?\d+)?", re.I)


@dataclass
class Token:
    kind: str
    value: object = None  # float for NUM, bytes for STR/SELECTOR, list for TUPLE, operator name for OP


class FilterSyntaxError(Exception):
    def __init__(self, position: int) -> None:
        super().__init__(position)
        self.position = position


def _isalpha(c: int) -> bool:
    return 65 <= c <= 90 or 97 <= c <= 122


def _isdigit(c: int) -> bool:
    return 48 <= c <= 57


def _selector_char(c: int) -> bool:
    return _isalpha(c) or _isdigit(c) or c in b"_-"


class _Tokenizer:
    def __init__(self, text: bytes) -> None:
        self.s = text
        self.p = 0

    def at(self, offset: int = 0) -> int:
        i = self.p + offset
        return self.s[i] if i < len(self.s) else 0

    def spaces(self) -> None:
        while self.at() and self.at() in _SPACES:
            self.p += 1

    def number(self) -> Token | None:
        start = self.p
        while _isdigit(self.at()) or self.at() in (46, 101, 69) or (self.p == start and self.at() == 45):
            if self.p - start >= 255:
                return None
            self.p += 1
        text = self.s[start:self.p]
        if not _NUMBER.fullmatch(text):
            return None
        return Token(NUM, float(text))

    def string(self) -> Token | None:
        quote = self.at()
        self.p += 1
        start = self.p
        while self.at():
            if self.at() == 92 and self.at(1):
                self.p += 2
                continue
            if self.at() == quote:
                value = self.s[start:self.p]
                self.p += 1
                return Token(STR, value)
            self.p += 1
        return None

    def selector(self) -> Token:
        self.p += 1
        start = self.p
        while self.at() and _selector_char(self.at()):
            self.p += 1
        return Token(SELECTOR, self.s[start:self.p])

    def tuple(self) -> Token | None:
        self.p += 1
        items: list[Token] = []
        while True:
            self.spaces()
            if self.at() == 93:
                self.p += 1
                return Token(TUPLE, items)
            c = self.at()
            if _isdigit(c) or c == 45:
                item = self.number()
            elif c in (34, 39):
                item = self.string()
            else:
                return None
            if item is None:
                return None
            items.append(item)
            self.spaces()
            if self.at() == 93:
                self.p += 1
                return Token(TUPLE, items)
            if self.at() != 44:
                return None
            self.p += 1

    def operator_or_literal(self) -> Token | None:
        start = self.p
        while self.at() and (_isalpha(self.at()) or self.at() in _OP_CHARS):
            self.p += 1
        span = self.s[start:self.p]
        if span == b"null":
            return Token(NULL)
        best = max((op for op in _OPERATORS if span.startswith(op)), key=len, default=None)
        if best is None:
            return None  # the position stays after the span, as in expr.c
        self.p = start + len(best)
        return Token(OP, _OPERATORS[best][0])

    def tokens(self) -> list[Token]:
        out: list[Token] = []
        while True:
            self.spaces()
            last = out[-1] if out else None
            minus_is_number = last is None or (last.kind == OP and last.value != ")")
            c = self.at()
            if not c:
                return out
            if _isdigit(c) or (minus_is_number and c == 45 and _isdigit(self.at(1))):
                token = self.number()
            elif c in (34, 39):
                token = self.string()
            elif c == 46 and _selector_char(self.at(1)):
                token = self.selector()
            elif c == 91:
                token = self.tuple()
            elif _isalpha(c) or c in _OP_CHARS:
                token = self.operator_or_literal()
            else:
                token = None
            if token is None:
                raise FilterSyntaxError(self.p)
            out.append(token)


def compile_filter(text: bytes) -> list[Token]:
    """The postfix program of an expression; FilterSyntaxError(position) when it does not compile."""
    tokens = _Tokenizer(text).tokens()
    program: list[Token] = []
    ops: list[Token] = []
    depth = 0  # values the program would leave on the stack

    def emit(op: Token) -> None:
        nonlocal depth
        arity = _ARITY[op.value]
        if depth < arity:
            raise FilterSyntaxError(0)
        program.append(op)
        depth = depth - arity + 1

    for token in tokens:
        if token.kind != OP:
            program.append(token)
            depth += 1
        elif token.value == "(":
            ops.append(token)
        elif token.value == ")":
            while True:
                if not ops:
                    raise FilterSyntaxError(0)
                top = ops.pop()
                if top.value == "(":
                    break
                emit(top)
        else:
            prec = _PRECEDENCE[token.value]
            while ops and ops[-1].value != "(":
                top_prec = _PRECEDENCE[ops[-1].value]
                if top_prec < prec or (token.value == "**" and top_prec <= prec):
                    break
                emit(ops.pop())
            ops.append(token)
    while ops:
        op = ops.pop()
        if op.value == "(":
            raise FilterSyntaxError(0)
        emit(op)
    if depth != 1:
        raise FilterSyntaxError(0)
    return program


# -- running ---------------------------------------------------------------------------------------------------
def _strtod_whole(text: bytes) -> float:
    """expr.c's string-to-number: strtod over the whole string, 0 when anything is left over."""
    if len(text) >= 256:
        return 0.0
    text = text.split(b"\0", 1)[0]
    if _STRTOD.fullmatch(text):
        return float(text.strip(_SPACES))
    if _STRTOD_HEX.fullmatch(text):
        hex_text = text.strip(_SPACES).decode()
        try:
            return float.fromhex(hex_text)
        except OverflowError:  # strtod answers HUGE_VAL
            return -math.inf if hex_text.startswith("-") else math.inf
        except ValueError:
            return 0.0
    return 0.0


def _num(t: Token) -> float:
    if t.kind == NUM:
        return t.value
    if t.kind == STR:
        return _strtod_whole(t.value)
    return 0.0


def _truth(t: Token) -> bool:
    if t.kind == NUM:
        return t.value != 0
    if t.kind == STR and not t.value:
        return False
    return t.kind != NULL


def _equal(a: Token, b: Token) -> bool:
    if a.kind == STR and b.kind == STR:
        return a.value == b.value
    if a.kind == NUM and b.kind == NUM:
        return a.value == b.value
    if a.kind == NULL or b.kind == NULL:
        return a.kind == b.kind
    return _num(a) == _num(b)


def _pow(x: float, y: float) -> float:
    try:
        return math.pow(x, y)
    except OverflowError:
        odd = y.is_integer() and int(y) % 2 == 1
        return -math.inf if x < 0 and odd else math.inf
    except ValueError:
        if x == 0 and y < 0:
            return math.inf
        return math.nan


def _div(x: float, y: float) -> float:
    if y == 0:
        if x == 0 or x != x:
            return math.nan
        return math.copysign(math.inf, x) * math.copysign(1.0, y)
    return x / y


def _fmod(x: float, y: float) -> float:
    try:
        return math.fmod(x, y)
    except ValueError:
        return math.nan


_BINARY = {
    "**": lambda a, b: _pow(_num(a), _num(b)),
    "*": lambda a, b: _num(a) * _num(b),
    "/": lambda a, b: _div(_num(a), _num(b)),
    "%": lambda a, b: _fmod(_num(a), _num(b)),
    "+": lambda a, b: _num(a) + _num(b),
    "-": lambda a, b: _num(a) - _num(b),
    ">": lambda a, b: float(_num(a) > _num(b)),
    ">=": lambda a, b: float(_num(a) >= _num(b)),
    "<": lambda a, b: float(_num(a) < _num(b)),
    "<=": lambda a, b: float(_num(a) <= _num(b)),
    "==": lambda a, b: float(_equal(a, b)),
    "!=": lambda a, b: float(not _equal(a, b)),
    "in": lambda a, b: float(_contains(a, b)),
    "and": lambda a, b: float(_truth(a) and _truth(b)),
    "or": lambda a, b: float(_truth(a) or _truth(b)),
}


def _contains(a: Token, b: Token) -> bool:
    if b.kind == TUPLE:
        return any(_equal(a, item) for item in b.value)
    if a.kind == STR and b.kind == STR:
        return a.value in b.value
    return False


def run_filter(program: list[Token], attributes: bytes) -> bool:
    stack: list[Token] = []
    for t in program:
        if t.kind == SELECTOR:
            value = extract_field(attributes, t.value) if t.value else None
            if value is None:
                return False
            stack.append(value)
        elif t.kind != OP:
            stack.append(t)
        elif t.value == "!":
            stack.append(Token(NUM, 0.0 if _truth(stack.pop()) else 1.0))
        else:
            b = stack.pop()
            a = stack.pop()
            stack.append(Token(NUM, _BINARY[t.value](a, b)))
    return bool(stack) and _truth(stack.pop())


# -- the JSON field reader (fastjson.c) -------------------------------------------------------------------------
def _json_number_char(c: int) -> bool:
    return _isdigit(c) or c in b"-+.eE"


class _Json:
    def __init__(self, text: bytes) -> None:
        self.s = text
        self.p = 0
        self.end = len(text)

    def spaces(self) -> None:
        while self.p < self.end and self.s[self.p] in _SPACES:
            self.p += 1

    def skip_string(self) -> bool:
        if self.p >= self.end or self.s[self.p] != 34:
            return False
        self.p += 1
        while self.p < self.end:
            c = self.s[self.p]
            if c == 92:
                self.p += 2
                continue
            self.p += 1
            if c == 34:
                return True
        return False

    def skip_bracketed(self, opener: int, closer: int) -> bool:
        depth = 1
        self.p += 1
        while self.p < self.end and depth > 0:
            c = self.s[self.p]
            if c == 34:
                if not self.skip_string():
                    return False
                continue
            if c == opener:
                depth += 1
            elif c == closer:
                depth -= 1
            self.p += 1
        return depth == 0

    def skip_literal(self, lit: bytes) -> bool:
        if self.s.startswith(lit, self.p) and self.p + len(lit) <= self.end:
            self.p += len(lit)
            return True
        return False

    def skip_value(self) -> bool:
        self.spaces()
        if self.p >= self.end:
            return False
        c = self.s[self.p]
        if c == 34:
            return self.skip_string()
        if c == 123:
            return self.skip_bracketed(123, 125)
        if c == 91:
            return self.skip_bracketed(91, 93)
        for lit in (b"true", b"false", b"null"):
            if c == lit[0]:
                return self.skip_literal(lit)
        start = self.p
        while self.p < self.end and _json_number_char(self.s[self.p]):
            self.p += 1
        return self.p > start

    def seek(self, field: bytes) -> bool:
        self.spaces()
        if self.p >= self.end or self.s[self.p] != 123:
            return False
        self.p += 1
        while True:
            self.spaces()
            if self.p >= self.end or self.s[self.p] != 34:
                return False
            key_start = self.p + 1
            if not self.skip_string():
                return False
            key = self.s[key_start:self.p - 1]
            self.spaces()
            if self.p >= self.end or self.s[self.p] != 58:
                return False
            self.p += 1
            self.spaces()
            if self.p >= self.end:
                return False
            if key == field:
                return True
            if not self.skip_value():
                return False
            self.spaces()
            if self.p >= self.end or self.s[self.p] != 44:
                return False
            self.p += 1

    def string_token(self) -> Token | None:
        self.p += 1
        out = bytearray()
        while self.p < self.end:
            c = self.s[self.p]
            if c == 92:
                if self.p + 1 >= self.end:
                    return None
                e = self.s[self.p + 1]
                out.append({110: 10, 114: 13, 116: 9}.get(e, e))
                self.p += 2
                continue
            if c == 34:
                self.p += 1
                return Token(STR, bytes(out))
            out.append(c)
            self.p += 1
        return None

    def number_token(self) -> Token | None:
        start = self.p
        while self.p < self.end and self.p - start < 255 and _json_number_char(self.s[self.p]):
            self.p += 1
        text = self.s[start:self.p]
        if not text or not _STRTOD.fullmatch(text) or text[:1].isspace():
            self.p = start
            return None
        return Token(NUM, float(text))

    def literal_token(self, lit: bytes, kind: str, value: float | None) -> Token | None:
        if not self.s.startswith(lit, self.p):
            return None
        after = self.p + len(lit)
        if after < self.end and self.s[after] not in _SPACES and self.s[after] not in b",]}":
            return None
        self.p = after
        return Token(kind, value)

    def array_token(self) -> Token | None:
        self.p += 1
        self.spaces()
        items: list[Token] = []
        if self.p < self.end and self.s[self.p] == 93:
            self.p += 1
            return Token(TUPLE, items)
        while True:
            item = self.value_token()
            if item is None:
                return None
            items.append(item)
            self.spaces()
            if self.p >= self.end:
                return None
            c = self.s[self.p]
            self.p += 1
            if c == 93:
                return Token(TUPLE, items)
            if c != 44:
                return None
            self.spaces()

    def value_token(self) -> Token | None:
        self.spaces()
        if self.p >= self.end:
            return None
        c = self.s[self.p]
        if c == 34:
            return self.string_token()
        if c == 91:
            return self.array_token()
        if c == 116:
            return self.literal_token(b"true", NUM, 1.0)
        if c == 102:
            return self.literal_token(b"false", NUM, 0.0)
        if c == 110:
            return self.literal_token(b"null", NULL, None)
        if _isdigit(c) or c in b"-+":
            return self.number_token()
        return None


def extract_field(json: bytes, field: bytes) -> Token | None:
    """The top-level field `field` of a JSON object as a token; None when absent, nested or malformed."""
    reader = _Json(json)
    if not reader.seek(field):
        return None
    return reader.value_token()
