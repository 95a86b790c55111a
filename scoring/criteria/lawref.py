"""Legal bases written the way the office writes them: 《中华人民共和国民法典》第二百七十八条.

A basis names its law by the register id (`civil-code`), by the register title
(《中华人民共和国民法典》) or by its short title (《民法典》); all resolve to the register entry.
Titles may themselves contain 《》 (《河南省实施《中华人民共和国城市居民委员会组织法》办法》),
so the outer brackets are matched by nesting depth.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from scoring.criteria.regulations import Register
from scoring.text import compact

_NOTE = re.compile(r"（注：(?P<note>.*)）$", re.DOTALL)
# Several bases in one cell: one per line, or separated by ；/;.
_SEPARATORS = re.compile(r"[\n；;]+")


@dataclass(frozen=True, slots=True)
class Citation:
    """A basis as written: the law's name (id, title or short title), article and note."""

    law: str
    article: str | None = None
    note: str | None = None


class CitationError(ValueError):
    """A basis text that is not of the form 《法规名称》第N条."""


def citation_of(raw: Any) -> Citation:
    """The citation of a JSON basis entry: `{"ref", "article", "note"}` or a string
    "《title》article" (CitationError when the string is malformed)."""
    if isinstance(raw, str):
        return parse_citation(raw)
    return Citation(str(raw["ref"]), raw.get("article"), raw.get("note"))


def _strip_brackets(name: str) -> str:
    name = name.strip()
    if name.startswith("《") and name.endswith("》"):
        return name[1:-1].strip()
    return name


def _key(name: str) -> str:
    return compact(_strip_brackets(name)).replace("〈", "《").replace("〉", "》")


def book_title(title: str) -> str:
    """《title》, with the book titles inside it marked 〈〉 (GB/T 15834)."""
    return "《" + _strip_brackets(title).replace("《", "〈").replace("》", "〉") + "》"


def cite(title: str, article: str | None = None) -> str:
    """《title》第N条: the one way a law is cited in everything the office reads."""
    return book_title(title) + (article or "")


def law_title(register: Register | None, ref: str, *, short: bool = False) -> str:
    """The title (or short title) of the law `ref` names, else `ref` itself."""
    if register is None or ref not in register:
        return ref
    reg = register.get(ref)
    return reg.short_title if short else reg.title


def resolve(name: str, register: Register) -> str | None:
    """The register id a law name refers to (id, full title or short title), else None."""
    if name in register:
        return name
    wanted = _key(name)
    for reg in register.regulations.values():
        if wanted in (_key(reg.title), _key(reg.short_title), compact(reg.id)):
            return reg.id
    return None


def shown_name(name: str) -> str:
    """A law name as messages show it: an id as is, a title in 《》."""
    name = name.strip()
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", name):
        return name
    return f"《{_strip_brackets(name)}》"


def closest_titles(name: str, register: Register, n: int = 3) -> list[str]:
    """Up to `n` register titles closest to a name that did not resolve."""
    wanted = _key(name)
    titles = {_key(r.title): r.title for r in register.regulations.values()}
    titles.update({_key(r.short_title): r.title for r in register.regulations.values()})
    found = difflib.get_close_matches(wanted, list(titles), n=n * 2, cutoff=0.4)
    # Containment catches 《治安处罚法》 against 《中华人民共和国治安管理处罚法》 poorly; a shared
    # substring of four characters or more counts as close too.
    found += [k for k in titles if k not in found and len(wanted) >= 4
              and (wanted in k or k in wanted)]
    out: list[str] = []
    for k in found:
        if titles[k] not in out:
            out.append(titles[k])
    return out[:n]


def unknown_hint(name: str, register: Register) -> str:
    """The part of a message that suggests register titles close to an unknown law name."""
    close = closest_titles(name, register)
    if close:
        return "，是否是：" + "、".join(f"《{t}》" for t in close) + "？"
    return "。"


def parse_citation(text: str) -> Citation:
    """One basis as typed: 《title》article, optionally followed by （注：note）."""
    text = text.strip()
    note = None
    match = _NOTE.search(text)
    if match:
        note = match.group("note").strip() or None
        text = text[:match.start()].rstrip()
    if not text.startswith("《"):
        raise CitationError(text)
    depth = 0
    for pos, char in enumerate(text):
        if char == "《":
            depth += 1
        elif char == "》":
            depth -= 1
            if depth == 0:
                law = text[1:pos].strip()
                article = text[pos + 1:].strip() or None
                if not law:
                    raise CitationError(text)
                return Citation(law, article, note)
    raise CitationError(text)


def split_citations(text: str) -> Iterator[str]:
    """The bases written in one cell, one per line or separated by ；."""
    for part in _SEPARATORS.split(text):
        if part.strip():
            yield part.strip()


def format_citation(citation: Citation, register: Register) -> str:
    """《title》article（注：note）, the law named by its register title when known."""
    ref = resolve(citation.law, register)
    text = cite(register.get(ref).title if ref is not None else citation.law, citation.article)
    return text + (f"（注：{citation.note}）" if citation.note else "")
