"""Text normalisation shared by headers, names and cell values (docs/design.md §4: trim, full-width →
half-width, odd spaces)."""

from __future__ import annotations

import re

# Spaces that office PCs put into names: NBSP, ideographic space, zero-width characters, BOM.
_ODD_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u3000"), " ")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
# Full-width ASCII (U+FF01..U+FF5E) maps to ASCII by a fixed offset.
_FULL_TO_HALF = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
# Characters XML 1.0 cannot carry, so no .xlsx or .docx can hold them (lxml and openpyxl refuse
# them): C0 controls other than tab, LF and CR, lone surrogates, U+FFFE and U+FFFF.
_UNWRITABLE = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
UNWRITABLE = re.compile(f"[{_UNWRITABLE}]")
_CONTROL = re.compile(f"[{_UNWRITABLE}\x7f]")
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
    """`text` with each character no .xlsx or .docx can hold written as <U+FFFE>: for messages."""
    return UNWRITABLE.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)
