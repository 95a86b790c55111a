"""Text normalisation shared by headers, names and cell values (docs/design.md §4: trim, full-width →
half-width, odd spaces); the one definition of the characters no .xlsx or .docx can hold; and how
a message shows user text (`visible`, `shown_value`, `cut`) wherever it is written."""

from __future__ import annotations

import json
import math
import re
from typing import Any

# Spaces that office PCs put into names: NBSP, ideographic space, zero-width characters, BOM.
_ODD_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u3000"), " ")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
# Full-width ASCII (U+FF01..U+FF5E) maps to ASCII by a fixed offset.
_FULL_TO_HALF = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
# Characters XML 1.0 cannot carry, so no .xlsx or .docx can hold them (lxml and openpyxl refuse
# them): C0 controls other than tab, LF and CR, lone surrogates, U+FFFE and U+FFFF. As the body of
# a regex character class, for the writers that escape more (outputs/bulk.py, excel_rules.py).
NOT_XML = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
SURROGATES = "\ud800-\udfff"  # in a Python str only a lone one is a code point here
UNWRITABLE = re.compile(f"[{NOT_XML}]")
_CONTROL = re.compile(f"[{NOT_XML}\x7f]")
# What a message never shows as it is: every character no .xlsx or .docx can hold, and what a
# terminal acts on instead of showing (CR, DEL, C1 controls, the bidirectional overrides and
# isolates that reorder what follows them). Tab and LF stay.
_UNSHOWN = re.compile(f"[{NOT_XML}\r\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
SHORT = 40  # characters of a value shown in a message
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Trim, fold full-width ASCII to half-width, odd spaces to one plain space; drop
    zero-width characters and control characters."""
    text = text.translate(_INVISIBLE).translate(_ODD_SPACES).translate(_FULL_TO_HALF)
    text = _CONTROL.sub("", text)
    return _SPACES.sub(" ", text).strip()


def clean(text: str) -> str:
    """Free text as shown back to users (notes, 扣分原因): invisible and control characters
    removed, odd spaces folded, trimmed — Chinese punctuation kept."""
    text = text.translate(_INVISIBLE).translate(_ODD_SPACES)
    return _SPACES.sub(" ", _CONTROL.sub("", text)).strip()


def compact(text: str) -> str:
    """`normalise` and then remove every space: for matching headers and names."""
    return normalise(text).replace(" ", "")


def unwritable(text: str) -> str:
    """The characters of `text` no .xlsx or .docx can hold, as the office can look them up
    ("U+FFFE、U+0001"), each once; "" when there are none."""
    found = dict.fromkeys(UNWRITABLE.findall(text))
    return "、".join(f"U+{ord(c):04X}" for c in found)


def visible(text: str) -> str:
    """`text` for a message, in the terminal or any file: each character no .xlsx or .docx can
    hold, or that a terminal would act on (move the cursor, clear the screen, set the window
    title, reorder the line), written as its code point — `<U+001B>`, `<U+FFFE>` — as the office
    can look it up and as `unwritable` names it."""
    return _UNSHOWN.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


def cut(text: str, limit: int = SHORT) -> str:
    """`text` at most `limit` characters, ending in "…" when cut: a value quoted in a message."""
    return text if len(text) <= limit else f"{text[:limit]}…"


def shown_value(value: Any, limit: int = SHORT) -> str:
    """A decoded JSON value for a message, short whatever it is (never the text of a huge or deep
    value): an object or a list by its kind, a text in quotes and `visible`, a number as written;
    `cut` to `limit`."""
    if isinstance(value, dict):
        return "{…}（对象）"
    if isinstance(value, list):
        return "[…]（列表）"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, str):
        return visible(cut(json.dumps(value[:limit], ensure_ascii=False), limit))  # as cut from the whole
    if isinstance(value, int) and value.bit_length() > 14_000:  # Python refuses str() past 4,300 digits
        return "（位数过多的数字）"
    return cut(str(value), limit)
