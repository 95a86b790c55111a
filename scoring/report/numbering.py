"""Heading ordinals of official documents (GB/T 9704-2012 §7.3.3): 一、 at the first level,
（一） at the second, 1. at the third, （1） at the fourth. The section's headings are numbered
here, by depth, so that the numbers run without gaps wherever the section stands."""

from __future__ import annotations

import re

DIGITS = "零一二三四五六七八九"
_CN = "[一二三四五六七八九十百零〇]+"
# Longest forms first: "（1）" must not be read as a "1." heading.
_PATTERNS = [
    (2, re.compile(rf"^\s*[（(]({_CN})[）)]\s*")),
    (4, re.compile(r"^\s*[（(](\d+)[）)]\s*")),
    (1, re.compile(rf"^\s*({_CN})\s*[、．.]\s*")),
    (3, re.compile(r"^\s*(\d+)\s*[.．、](?!\d)\s*")),
]
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (ordinals stay below 100)."""
    if n < 10:
        return DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[ones] if ones else "")


def _value(text: str) -> int:
    """一 → 1, 十二 → 12, 二十 → 20; Arabic digits as they are."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return DIGITS.index(text[-1]) if text[-1] in DIGITS else 0
    tens, _, ones = text.partition("十")
    high = DIGITS.index(tens) if tens and tens in DIGITS else 1
    return high * 10 + (DIGITS.index(ones) if ones and ones in DIGITS else 0)


def ordinal(level: int, n: int) -> str:
    """The ordinal of the `n`-th heading (1-based) at `level` (1–4; deeper levels ①②…)."""
    if level == 1:
        return f"{chinese_number(n)}、"
    if level == 2:
        return f"（{chinese_number(n)}）"
    if level == 3:
        return f"{n}."
    if level == 4:
        return f"（{n}）"
    return CIRCLED[n - 1] if n <= len(CIRCLED) else f"{n})"


def split_ordinal(text: str) -> tuple[int, int, str] | None:
    """(level, number, the text after the ordinal) of a text that starts with an ordinal of
    GB/T 9704 (also the half-width and 、 variants office drafts use); None otherwise."""
    for level, pattern in _PATTERNS:
        found = pattern.match(text)
        if found:
            return level, _value(found.group(1)), text[found.end():]
    return None


def strip_ordinal(text: str) -> str:
    """The text without a leading ordinal."""
    found = split_ordinal(text)
    return found[2] if found else text.strip()


def number_markdown(markdown: str) -> str:
    """The section's Markdown with its headings numbered by depth: a heading alone at the top
    level (the section's title) is not numbered, the headings below it are 一、 （一） 1. （1）,
    counting from one under each parent. An ordinal already typed in the template is replaced,
    so an edited template never leaves a gap."""
    lines = markdown.split("\n")
    depths = [len(m.group(1)) for m in (re.match(r"^(#{1,6})\s", line) for line in lines) if m]
    if not depths:
        return markdown
    top = min(depths)
    first = top + 1 if depths.count(top) == 1 and depths[0] == top else top
    counters: dict[int, int] = {}
    out = []
    for line in lines:
        found = re.match(r"^(#{1,6})\s+(.*)$", line)
        if found and len(found.group(1)) >= first:
            level = len(found.group(1)) - first + 1
            counters[level] = counters.get(level, 0) + 1
            for deeper in [k for k in counters if k > level]:
                del counters[deeper]
            line = f"{found.group(1)} {ordinal(level, counters[level])}{strip_ordinal(found.group(2))}"
        out.append(line)
    return "\n".join(out)
