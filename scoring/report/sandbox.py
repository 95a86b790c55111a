"""The Jinja2 sandbox a report template runs in (issue 16): a template is a file the office edits
and may receive from anyone, so it can reach no Python internals (jinja2's immutable sandbox) and
no amount of time or memory beyond a bound — checked where a template could make something big
or slow, before it is made, since a thread cannot be stopped from outside and Windows has no
SIGALRM:

- every `{% for %}` loop (over a range, a string, a list …), every call and every intercepted
  operator checks the deadline, so nested loops end by it;
- `*`, `**`, `+`, `%` and `~` refuse results longer than the output bound, or integers of more
  than MAX_INT_BITS bits (`'x' * 10**9`, `9**9**9`), before computing them;
- a call (a filter, function or method) may not pass a count above MAX_COUNT (`center(10**9)`),
  a format may not ask for a field that wide, and the filters and string methods that multiply
  their input (`replace`, `indent`, `join`, `expandtabs`) are sized up front;
- the rendered text, each value written and each macro's or `{% set %}` block's text is bounded;
  a value is turned into text (`{{ }}`, `|string`, `~`, `%`, `.format`, any filter that reads its
  input as text) only after the length of that text is counted without building it (text_size):
  `{{ ["x" * 999999] * 1500 }}` is a list of 1,500 references, but 1.5 GB as text.

The bounds are far above what a report section needs (the bundled template writes ~5,000
characters). Breaking one raises TemplateRefused with the reason in Chinese.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, ItemsView, Iterable, Iterator, KeysView, ValuesView
from fractions import Fraction
from functools import wraps
from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import Context, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

MAX_OUTPUT = 1_000_000  # characters of the rendered section, and of any string or list on the way
MAX_COUNT = MAX_OUTPUT  # a count or width passed to a filter, function or method
MAX_INT_BITS = 4096  # integers (and a fraction's numerator and denominator) up to ~1,200 digits
# What macros and `{% set %}`/`{% filter %}` blocks may write over a whole rendering, in
# characters and in pieces: their text is held in lists until it is joined, and a loop can fill
# a list far faster than a deadline stops it.
MAX_BUFFERED = 10 * MAX_OUTPUT
MAX_PIECES = 2 * MAX_OUTPUT
MAX_DEPTH = 50  # macros calling macros: each level may hold a value up to MAX_OUTPUT on the way
TIME_LIMIT_S = 10.0
_WIDE_FIELD = re.compile(r"\d{7,}")  # a format field as wide as MAX_COUNT or wider


class Rendered(str):
    """Text the template has already written (a macro's, a `{% set %}` block's): its values are
    escaped once, so it is not escaped again where it is written."""


class TemplateRefused(Exception):
    """A template that went past a bound of the sandbox; `reason` says which, in Chinese."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _too_long(size: int) -> TemplateRefused:
    return TemplateRefused(f"模板生成的内容超过 {MAX_OUTPUT:,} 个字符的上限（达到 {size:,} 个）")


def _check_size(value: object) -> None:
    if isinstance(value, str | bytes | list | tuple | dict | set | frozenset) and len(value) > MAX_OUTPUT:
        raise _too_long(len(value))


def _bits(value: object) -> int:
    if isinstance(value, bool):
        return 1
    if isinstance(value, int):
        return value.bit_length()
    if isinstance(value, Fraction):
        return max(value.numerator.bit_length(), value.denominator.bit_length())
    return 0


def _check_number(value: object) -> None:
    if _bits(value) > MAX_INT_BITS:
        raise TemplateRefused(f"模板中的计算结果过大（超过 {MAX_INT_BITS} 位二进制数）")


def _check_count(values: Iterable[object]) -> None:
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_COUNT:
            raise TemplateRefused(f"模板中的数 {value} 作为次数或宽度过大（上限 {MAX_COUNT:,}）")
        _check_number(value)


def _check_format(text: object) -> None:
    if isinstance(text, str) and _WIDE_FIELD.search(text):
        raise TemplateRefused(f"模板中的格式“{text[:40]}”要求的宽度过大")


# Filters that do not read their input as text (they count, pick, sort or convert it); every
# other filter, jinja's or the toolkit's, gets its arguments' text sizes checked first.
_STRUCTURAL_FILTERS = frozenset({
    "abs", "attr", "batch", "count", "d", "default", "dictsort", "filesizeformat", "first", "float", "groupby",
    "int", "items", "join", "last", "length", "list", "map", "max", "min", "random", "reject", "rejectattr",
    "reverse", "round", "select", "selectattr", "slice", "sort", "sum", "unique"})


def text_size(value: object, budget: int = MAX_OUTPUT) -> int:
    """The length `str(value)` would have, counted without building it: exact for text and
    numbers; for containers (and dataclasses, namespaces) their items' sizes plus the brackets
    and separators their repr adds, with text items counted as written (escapes in a repr can make
    it up to ten times longer, which keeps it far below what would hurt). Counting stops once
    past `budget`, so a list holding itself a million times over costs no more than the budget;
    containers are walked by iterators, never copied."""
    from dataclasses import fields, is_dataclass
    from itertools import chain

    from jinja2.utils import Namespace

    total = 0
    walking: list[Iterator[object]] = []
    item: object = value
    top = True
    while True:
        if isinstance(item, str | bytes):
            total += len(item) + (0 if top else 3)  # quotes (and b) in a repr
        elif isinstance(item, list | tuple | set | frozenset | KeysView | ValuesView | ItemsView):
            total += 2 + 2 * len(item) + (0 if isinstance(item, list | tuple) else 16)  # brackets, ", "…
            walking.append(iter(item))
        elif isinstance(item, dict):
            total += 2 + 4 * len(item)  # braces, ": " and ", "
            walking.append(chain.from_iterable(item.items()))
        elif isinstance(item, Namespace):
            attrs = item._Namespace__attrs
            total += 14 + 4 * len(attrs)
            walking.append(chain.from_iterable(attrs.items()))
        elif is_dataclass(item) and not isinstance(item, type):
            found = fields(item)
            total += len(type(item).__name__) + 2 + sum(len(f.name) + 3 for f in found)
            walking.append(iter([getattr(item, f.name) for f in found]))  # a few fields
        else:  # numbers (bounded by MAX_INT_BITS), None, jinja's helpers: short texts of their own
            total += len(str(item) if top else repr(item))
        top = False
        while walking and total <= budget:
            following = next(walking[-1], _DONE)
            if following is not _DONE:
                item = following
                break
            walking.pop()
        else:
            return total


_DONE = object()


def bounded_text(value: object) -> str:
    """`str(value)`, refused before it is built when longer than MAX_OUTPUT characters."""
    _check_total(text_size(value))
    return str(value)


def _format_size(pattern: str | bytes, values: Iterable[object]) -> int:
    """At most how long `pattern % values` or `pattern.format(*values)` can be: each field
    (a `%` or a `{`) written as the longest value."""
    marks = pattern.count("%") + pattern.count("{") if isinstance(pattern, str) \
        else pattern.count(b"%") + pattern.count(b"{")
    longest = max((text_size(v) for v in values), default=0)
    return len(pattern) + marks * longest


def _check_total(total: int) -> None:
    if total > MAX_OUTPUT:
        raise _too_long(total)


def _replaced_size(text: Any, old: Any, new: Any, count: Any = None) -> int:
    """The length `text.replace(old, new, count)` would have (str or bytes)."""
    if not isinstance(text, str | bytes) or not isinstance(old, str | bytes) or not isinstance(new, str | bytes):
        return 0
    found = len(text) + 1 if not old else text.count(old)  # type: ignore[arg-type]
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    return len(text) + found * max(len(new) - len(old), 0)


def _joined_size(separator: Any, items: list[Any]) -> int:
    return sum(text_size(x) for x in items) + text_size(separator) * max(len(items) - 1, 0)


def _presize_filter(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Size up the filters that multiply their input; `args` with an iterable made a list."""
    value = args[0] if args else None
    if name == "replace" and len(args) >= 3:
        _check_total(_replaced_size(value, args[1], args[2], args[3] if len(args) > 3 else kwargs.get("count")))
    elif name == "indent":
        width = args[1] if len(args) > 1 else kwargs.get("width", 4)
        pad = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
        _check_total(text_size(value) + (str(value).count("\n") + 1) * pad)
    elif name == "join" and args and not isinstance(value, str):
        items = list(value) if isinstance(value, Iterable) else []  # joined once it is known small
        _check_size(items)
        separator = args[1] if len(args) > 1 else kwargs.get("d", "")
        _check_total(_joined_size(separator, items))
        return (items, *args[1:])
    elif name == "format":
        _check_format(value)
        if isinstance(value, str):
            _check_total(_format_size(value, (*args[1:], *kwargs.values())))
    elif name == "sum":
        start = args[2] if len(args) > 2 else kwargs.get("start", 0)
        if not isinstance(start, int | float | Fraction):  # summing lists or strings is quadratic
            raise TemplateRefused("模板中的 sum 只能对数字求和")
    return args


def _bounded_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(function)  # keeps jinja's pass_context/pass_eval_context marks
    def bounded(*args: Any, **kwargs: Any) -> Any:
        _check_count((*args, *kwargs.values()))
        lead = 1 if hasattr(function, "jinja_pass_arg") else 0  # the context comes first
        if name not in _STRUCTURAL_FILTERS:  # reads its input as text: sized before it is made text
            for value in (*args[lead:], *kwargs.values()):
                _check_total(text_size(value))
        args = (*args[:lead], *_presize_filter(name, args[lead:], kwargs))
        result = function(*args, **kwargs)
        _check_size(result)
        return result

    return bounded


def _presize_method(method: Any, args: tuple[Any, ...]) -> tuple[Any, ...]:
    """Size up the str/bytes methods that multiply their input."""
    owner, name = getattr(method, "__self__", None), getattr(method, "__name__", "")
    if not isinstance(owner, str | bytes):
        return args
    if name == "replace" and len(args) >= 2:
        _check_total(_replaced_size(owner, args[0], args[1], args[2] if len(args) > 2 else None))
    elif name == "expandtabs":
        size = args[0] if args and isinstance(args[0], int) else 8
        _check_total(len(owner) + owner.count("\t" if isinstance(owner, str) else b"\t") * size)  # type: ignore[arg-type]
    elif name == "join" and args:
        items = list(args[0]) if isinstance(args[0], Iterable) else []
        _check_size(items)
        _check_total(_joined_size(owner, items))
        return (items, *args[1:])
    elif name in ("translate", "maketrans"):
        raise TemplateRefused(f"模板中不能使用 {name}")
    return args


class _Buffer(list[str]):
    """The list a macro or block collects its text in, counted against the rendering's bounds."""

    def __init__(self, environment: BoundedEnvironment) -> None:
        super().__init__()
        self.environment = environment

    def append(self, piece: str) -> None:
        self.environment.buffered(len(piece), 1)
        super().append(piece)

    def extend(self, pieces: Iterable[str]) -> None:
        items = tuple(pieces)
        self.environment.buffered(sum(len(p) for p in items), len(items))
        super().extend(items)


class _Generator(CodeGenerator):
    """jinja's code generator, with every macro's and block's text collected in a _Buffer."""

    def buffer(self, frame: Frame) -> None:
        frame.buffer = self.temporary_identifier()
        self.writeline(f"{frame.buffer} = environment.new_buffer()")


class _Steps(NodeTransformer):
    """Every loop's iterable goes through `environment.steps` (the deadline), every `~` through
    `environment.joined` (the size)."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)  # in place
        node.iter = nodes.Call(nodes.EnvironmentAttribute("steps", lineno=node.lineno), [node.iter], [], None, None,
                               lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)  # in place
        return nodes.Call(nodes.EnvironmentAttribute("joined", lineno=node.lineno),
                          [nodes.Tuple(node.nodes, "load", lineno=node.lineno)], [], None, None, lineno=node.lineno)


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    """jinja2's immutable sandbox, bounded in time and size (see the module)."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _Generator

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.deadline = time.monotonic() + TIME_LIMIT_S
        self.written = self.pieces = self.depth = 0
        self.globals.pop("lipsum", None)  # writes as much text as it is asked for
        self.filters = {name: _bounded_filter(name, f) for name, f in self.filters.items()}

    def add_filters(self, **filters: Callable[..., Any]) -> None:
        """The toolkit's own filters, bounded like jinja's."""
        self.filters.update({name: _bounded_filter(name, f) for name, f in filters.items()})

    def start(self) -> None:
        """Start the clock (at rendering, not at parsing) and the count of buffered text."""
        self.deadline = time.monotonic() + TIME_LIMIT_S
        self.written = self.pieces = self.depth = 0

    def new_buffer(self) -> list[str]:
        """The list a macro or block collects its text in."""
        return _Buffer(self)

    def buffered(self, size: int, pieces: int) -> None:
        """Count text a macro or block collects; refuse past MAX_BUFFERED or MAX_PIECES."""
        self.written += size
        self.pieces += pieces
        if self.written > MAX_BUFFERED or self.pieces > MAX_PIECES:
            raise TemplateRefused(f"模板的宏或 set 块累计生成的内容超过 {MAX_BUFFERED:,} 个字符"
                                  f"或 {MAX_PIECES:,} 段的上限")
        if self.pieces % 1024 == 0:
            self.tick()

    def tick(self) -> None:
        """Stop a template that has run past its time."""
        if time.monotonic() > self.deadline:
            raise TemplateRefused(f"模板运行超过 {TIME_LIMIT_S:g} 秒（可能有过多或无尽的循环）")

    def steps(self, iterable: Any) -> Iterator[Any]:
        """A loop's items, the deadline checked before each."""
        for item in iterable:
            self.tick()
            yield item

    def joined(self, parts: tuple[Any, ...]) -> str:
        """`a ~ b`: the texts joined, at most MAX_OUTPUT characters (counted before any is made
        text). Joined with text the template wrote itself (a macro's, a `{% set %}` block's, or
        marked safe), the other parts are escaped as `{{ }}` would and the whole is Rendered, so it
        is not escaped a second time where it is written; otherwise it is plain text."""
        from markupsafe import Markup

        self.tick()
        _check_total(sum(text_size(p) for p in parts))
        if not any(isinstance(p, Rendered | Markup) for p in parts) or self.finalize is None:
            return "".join(str(p) for p in parts)
        written = self.finalize
        return Rendered("".join(p if isinstance(p, Rendered | Markup) else str(written(p)) for p in parts))

    def concat(self, pieces: Iterable[str]) -> str:
        """A macro's or a `{% set %}` block's text, at most MAX_OUTPUT characters."""
        texts = list(pieces)
        _check_total(sum(map(len, texts)))
        return Rendered("".join(texts))

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        """`*`, `**`, `+` and `%` with their results' sizes checked first."""
        self.tick()
        sized = (str, bytes, list, tuple)
        if operator == "*":
            sequence, times = (left, right) if isinstance(left, sized) else (right, left)
            if isinstance(sequence, sized) and isinstance(times, int):
                _check_total(len(sequence) * max(times, 0))
            else:
                _check_number(left)
                _check_number(right)
        elif operator == "**":
            trivial = isinstance(left, int) and abs(left) <= 1  # 1 ** n, 0 ** n
            if isinstance(right, int) and not trivial and _bits(left) * abs(right) > MAX_INT_BITS:
                raise TemplateRefused(f"模板中的乘方结果过大（超过 {MAX_INT_BITS} 位二进制数）")
        elif operator == "+":
            if isinstance(left, sized) and isinstance(right, sized):
                _check_total(len(left) + len(right))
        elif isinstance(left, str | bytes):  # "%": printf-style formatting
            _check_format(left if isinstance(left, str) else left.decode("latin-1"))
            values = right if isinstance(right, tuple) else tuple(right.values()) if isinstance(right, dict) \
                else (right,)
            _check_count(values)
            _check_total(_format_size(left, values))
        result = super().call_binop(context, operator, left, right)
        _check_number(result)
        return result

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """A function, method or macro called by the template: counts bounded, result sized."""
        __self.tick()
        _check_count((*args, *kwargs.values()))
        args = _presize_method(__obj, args)
        macro = isinstance(__obj, Macro)
        if macro:
            __self.depth += 1
            if __self.depth > MAX_DEPTH:
                raise TemplateRefused(f"宏的调用层数超过 {MAX_DEPTH} 层（可能是宏调用了自身）")
        try:
            result = super().call(__context, __obj, *args, **kwargs)
        finally:
            if macro:
                __self.depth -= 1
        _check_size(result)
        return result

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """`'…'.format(…)`: jinja's sandboxed formatter, for formats of a sensible width."""
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        pattern = value.__self__
        _check_format(pattern)

        @wraps(wrapped)
        def sized(*args: Any, **kwargs: Any) -> str:
            mapped = tuple(args[0].values()) if args and isinstance(args[0], dict) else ()  # format_map
            _check_total(_format_size(pattern, (*args, *mapped, *kwargs.values())))
            return wrapped(*args, **kwargs)

        return sized

    def bounded_template(self, source: str) -> Any:
        """The template compiled with every loop and `~` bounded."""
        tree = _Steps().visit(self.parse(source))
        tree.set_environment(self)
        return self.template_class.from_code(self, self.compile(tree), self.make_globals(None))

    def render_bounded(self, template: Any, **context: Any) -> str:
        """The template's text, stopped when it passes MAX_OUTPUT characters or the deadline."""
        self.start()
        out: list[str] = []
        total = 0
        for piece in template.generate(**context):
            self.tick()
            if piece:
                total += len(piece)
                _check_total(total)
                out.append(piece)
        return "".join(out)
