"""A small evaluator of the Excel functions the template's validation formulas use, with Excel's
rules for what they do with text, numbers and errors — so a test can ask "would Excel/WPS let
this value in?" without Excel. Only what the formulas need: IF AND OR ISNUMBER ISERR LEFT RIGHT
LEN FIND ABS MOD ROUND, unary and binary arithmetic, comparisons."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

_TOKEN = re.compile(r'\s*(?:(\d+(?:\.\d+)?)|("(?:[^"]|"")*")|([A-Z]+\d*)|(<=|>=|<>|[-+*/&=<>(),]))')
_NUMBER_TEXT = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?%?$")


class XLError(Exception):
    """An Excel error value (#VALUE! and friends)."""


def to_number(value: Any) -> float:
    """Excel's coercion of a value to a number (`--x`, `-x`, arithmetic)."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if not text or not _NUMBER_TEXT.match(text) or not re.search(r"\d", text):
        raise XLError("#VALUE!")
    number = float(text.rstrip("%").replace(",", ""))
    return number / 100 if text.endswith("%") else number


def to_text(value: Any) -> str:
    """Excel's General-format text of a value."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() else format(value, ".15g")
    return str(value)


def _compare(a: Any, b: Any, op: str) -> bool:
    def rank(x: Any) -> tuple[int, Any]:
        if isinstance(x, bool):
            return (2, x)
        if isinstance(x, (int, float)):
            return (0, float(x))
        return (1, str(x).lower())
    left, right = rank(a), rank(b)
    return {"=": left == right, "<>": left != right, "<": left < right, ">": left > right,
            "<=": left <= right, ">=": left >= right}[op]


def _truth(value: Any) -> bool:
    if isinstance(value, str):
        raise XLError("#VALUE!")
    return bool(value)


def _round(x: Any, digits: Any) -> float:
    quantum = Decimal(1).scaleb(-int(to_number(digits)))
    return float(Decimal(repr(to_number(x))).quantize(quantum, rounding=ROUND_HALF_UP))


def _find(needle: Any, haystack: Any) -> int:
    at = to_text(haystack).find(to_text(needle))
    if at < 0:
        raise XLError("#VALUE!")
    return at + 1


def _left(text: Any, n: Any = 1) -> str:
    count = int(to_number(n))
    if count < 0:
        raise XLError("#VALUE!")
    return to_text(text)[:count]


def _right(text: Any, n: Any = 1) -> str:
    count = int(to_number(n))
    if count < 0:
        raise XLError("#VALUE!")
    return to_text(text)[-count:] if count else ""


def _mod(a: Any, b: Any) -> float:
    x, y = to_number(a), to_number(b)
    if y == 0:
        raise XLError("#DIV/0!")
    return x - y * math.floor(x / y)


Thunk = Callable[[], Any]


def _is(check: Callable[[Any], bool]) -> Callable[[Thunk], bool]:
    def test(arg: Thunk) -> bool:
        try:
            return check(arg())
        except XLError:
            return False
    return test


def _iserr(arg: Thunk) -> bool:
    try:
        arg()
    except XLError:
        return True
    return False


# Functions that take their arguments unevaluated (IF is lazy; IS functions catch errors).
_LAZY: dict[str, Callable[..., Any]] = {
    "IF": lambda c, a, b=lambda: False: a() if _truth(c()) else b(),
    "ISNUMBER": _is(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)),
    "ISERR": _iserr,
}
_EAGER: dict[str, Callable[..., Any]] = {
    "AND": lambda *a: all([_truth(x) for x in a]),
    "OR": lambda *a: any([_truth(x) for x in a]),
    "LEFT": _left, "RIGHT": _right, "LEN": lambda t: len(to_text(t)), "FIND": _find,
    "ABS": lambda x: abs(to_number(x)), "MOD": _mod, "ROUND": _round,
}


class _Parser:
    def __init__(self, formula: str, cell_value: Any) -> None:
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        text = formula.removeprefix("=")
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            assert m, f"cannot read {text[pos:]!r}"
            kinds = ("num", "str", "name", "op")
            self.tokens += [(k, v) for k, v in zip(kinds, m.groups(), strict=True) if v is not None]
            pos = m.end()
        self.at = 0
        self.value = cell_value

    def peek(self) -> str:
        return self.tokens[self.at][1] if self.at < len(self.tokens) else ""

    def take(self, expected: str | None = None) -> tuple[str, str]:
        token = self.tokens[self.at]
        assert expected is None or token[1] == expected, (token, expected)
        self.at += 1
        return token

    def comparison(self) -> Thunk:
        left = self.concat()
        while self.peek() in ("=", "<>", "<", ">", "<=", ">="):
            op = self.take()[1]
            right = self.concat()
            left = (lambda a, b, o: lambda: _compare(a(), b(), o))(left, right, op)
        return left

    def concat(self) -> Thunk:
        left = self.additive()
        while self.peek() == "&":
            self.take()
            right = self.additive()
            left = (lambda a, b: lambda: to_text(a()) + to_text(b()))(left, right)
        return left

    def additive(self) -> Thunk:
        left = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()[1]
            right = self.term()
            left = (lambda a, b, o: lambda: to_number(a()) + (to_number(b()) if o == "+" else -to_number(b())))(
                left, right, op)
        return left

    def term(self) -> Thunk:
        left = self.unary()
        while self.peek() in ("*", "/"):
            op = self.take()[1]
            right = self.unary()

            def apply(a: Thunk = left, b: Thunk = right, o: str = op) -> float:
                x, y = to_number(a()), to_number(b())
                if o == "*":
                    return x * y
                if y == 0:
                    raise XLError("#DIV/0!")
                return x / y
            left = apply
        return left

    def unary(self) -> Thunk:
        if self.peek() == "-":
            self.take()
            inner = self.unary()
            return lambda: -to_number(inner())
        return self.primary()

    def primary(self) -> Thunk:
        kind, text = self.take()
        if kind == "num":
            return lambda: float(text)
        if kind == "str":
            return lambda: text[1:-1].replace('""', '"')
        if text == "(":
            inner = self.comparison()
            self.take(")")
            return inner
        if kind == "name" and self.peek() == "(":
            self.take("(")
            args: list[Thunk] = []
            while self.peek() != ")":
                args.append(self.comparison())
                if self.peek() == ",":
                    self.take(",")
            self.take(")")
            if text in _LAZY:
                return lambda: _LAZY[text](*args)
            return lambda: _EAGER[text](*(a() for a in args))
        if text == "TRUE":
            return lambda: True
        if text == "FALSE":
            return lambda: False
        assert kind == "name", text
        return lambda: self.value


def accepts(formula: str, value: Any) -> bool:
    """Whether a custom data validation `formula` lets `value` into its cell (an error result,
    like FALSE, refuses it)."""
    parser = _Parser(formula, value)
    thunk = parser.comparison()
    assert parser.at == len(parser.tokens), formula
    try:
        result = thunk()
    except XLError:
        return False
    return result is True or (isinstance(result, (int, float)) and not isinstance(result, bool) and result != 0)
