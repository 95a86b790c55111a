"""Text normalisation shared by headers, names and cell values (docs/design.md §4: trim, full-width →
half-width, odd spaces)."""

from __future__ import annotations

import re

# Spaces that office PCs put into names: NBSP, ideographic space, zero-width characters, BOM.
_ODD_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u3000"), " ")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
# Full-width ASCII (U+FF01..U+FF5E) maps to ASCII by a fixed offset.
_FULL_TO_HALF = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
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
