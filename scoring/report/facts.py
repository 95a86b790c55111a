"""Every figure the report section states, computed exactly from the typed results document
(whole hundredths and exact rates, never re-added rounded floats); the criteria supply names,
rule-of-law tags, the changelog and the laws behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from scoring.criteria.lawref import cite, law_title
from scoring.criteria.model import Criteria, Item
from scoring.criteria.standard import Standard
from scoring.engine.results import CommunityScore, ListEntry, Results
from scoring.exact import half_up

WEAKEST = 3  # how many weak items the 问题和不足 part names


@dataclass
class ItemRate:
    """How a base item fared over the courtyards where it applied."""

    id: str
    name: str
    category: str
    rate: Fraction  # score rate: points earned / points possible, summed over those courtyards
    full_rate: Fraction  # share of those courtyards with full marks in every inspection
    short: int  # courtyards below full marks
    applicable: int
    laws: list[str] = field(default_factory=list)


@dataclass
class Revision:
    """A version of the standard that took effect in the period."""

    version: str
    effective: str
    summary: str
    laws: list[str]  # titles of the laws its changes rest on
    changes: int


@dataclass
class Previous:
    """The change on the previous run."""

    period: str
    mean_change: Decimal
    pass_change_pp: Decimal  # percentage points
    rol_change_pp: Decimal | None
    courtyards_change: int


@dataclass
class ReportFacts:
    """What the section reports."""

    period: str
    title: str
    issuer: str
    communities: int
    courtyards: int
    inspections: int
    mean_total: Decimal
    grades: list[tuple[str, int, Fraction]]  # name, count, share
    passed: int
    pass_rate: Fraction
    disqualified: int
    community_rows: list[CommunityScore]
    best: list[CommunityScore]
    rol_rate: Fraction | None
    rol_items: list[ItemRate]
    weakest_items: list[ItemRate]  # lowest score rates first
    revisions: list[Revision]
    unscored: int = 0  # courtyards left out because every record of theirs had errors
    red: list[ListEntry] = field(default_factory=list)  # 红榜, as published by the rule
    black: list[ListEntry] = field(default_factory=list)  # 黑榜, worst first
    previous: Previous | None = None

    @property
    def weakest_rol(self) -> ItemRate | None:
        """The rule-of-law item with the lowest rate of full marks."""
        return self.rol_items[0] if self.rol_items else None


def _base_items(versions: list[Criteria]) -> dict[str, tuple[Item, str, bool]]:
    """Item id → (item, category name, rule of law?) over the versions used, newest first."""
    out: dict[str, tuple[Item, str, bool]] = {}
    for crit in versions:
        for cat in crit.categories:
            for item in cat.items:
                out.setdefault(item.id, (item, cat.name, cat.rule_of_law))
    return out


def _laws(item: Item, standard: Standard) -> list[str]:
    reg = standard.register
    return [cite(law_title(reg, b.ref), b.article) for b in item.basis]


def item_rates(results: Results, versions: list[Criteria], standard: Standard) -> list[ItemRate]:
    """Score rates of every base item that applied somewhere, lowest first: exact sums of the
    courtyards' points in whole hundredths."""
    rates = []
    for ident, (item, category, _) in _base_items(versions).items():
        scores = [got for y in results.courtyards
                  if (got := y.items.get(ident)) is not None and got.earned_cents is not None]
        if not scores:
            continue
        full = sum(s.full for s in scores)
        possible = sum(s.possible_cents for s in scores)
        earned = sum(s.earned_cents or 0 for s in scores)
        rate = Fraction(earned, possible) if possible else Fraction(1)
        rates.append(ItemRate(ident, item.name, category, rate, Fraction(full, len(scores)),
                              len(scores) - full, len(scores), _laws(item, standard)))
    return sorted(rates, key=lambda r: (r.rate, r.id))


def _revisions(results: Results, standard: Standard) -> list[Revision]:
    period = results.period
    out = []
    for crit in standard.versions:
        if not period.start <= crit.effective_from <= period.end:
            continue
        entries = [e for e in crit.changelog if e.get("version") == crit.version]
        refs = [b["ref"] for e in entries for c in e.get("changes", []) for b in c.get("basis", [])]
        titles = list(dict.fromkeys(
            cite(law_title(standard.register, r)) for r in refs))
        out.append(Revision(crit.version, crit.effective_from.isoformat(),
                            "；".join(e.get("summary", "") for e in entries if e.get("summary")),
                            titles, sum(len(e.get("changes", [])) for e in entries)))
    return out


def _mean_total(results: Results) -> Fraction:
    yards = results.courtyards
    return Fraction(sum(y.total_cents for y in yards), 100 * len(yards)) if yards else Fraction(0)


def _rol_rate(results: Results) -> Fraction | None:
    rates = [y.rule_of_law_rate for y in results.courtyards if y.rule_of_law_rate is not None]
    return sum(rates, Fraction(0)) / len(rates) if rates else None


def _pass_rate(results: Results) -> Fraction:
    yards = results.courtyards
    return Fraction(sum(y.passing for y in yards), len(yards)) if yards else Fraction(0)


def _previous(results: Results, previous: Results) -> Previous:
    now_rol, then_rol = _rol_rate(results), _rol_rate(previous)
    rol = None if now_rol is None or then_rol is None else half_up((now_rol - then_rol) * 100, "0.1")
    return Previous(
        period=previous.period.label,
        mean_change=half_up(_mean_total(results) - _mean_total(previous)),
        pass_change_pp=half_up((_pass_rate(results) - _pass_rate(previous)) * 100, "0.1"),
        rol_change_pp=rol,
        courtyards_change=len(results.courtyards) - len(previous.courtyards),
    )


def report_facts(results: Results, standard: Standard, previous: Results | None = None) -> ReportFacts:
    """All figures of the section (`results` carries the standard it was scored by)."""
    versions = sorted(results.versions, key=lambda c: c.effective_from, reverse=True)
    yards = results.courtyards
    comms = results.communities
    grade_order = list(comms[0].grade_counts) if comms else []
    counts = {g: sum(y.grade == g for y in yards) for g in grade_order}
    rates = item_rates(results, versions, standard)
    tagged = {ident for ident, (_, _, rol) in _base_items(versions).items() if rol}
    newest = versions[0]
    return ReportFacts(
        period=results.period.label,
        title=newest.title,
        issuer=newest.issuer,
        communities=len(comms),
        courtyards=len(yards),
        inspections=sum(y.inspections for y in yards),
        mean_total=half_up(_mean_total(results)),
        grades=[(g, n, Fraction(n, len(yards)) if yards else Fraction(0)) for g, n in counts.items()],
        passed=sum(y.passing for y in yards),
        pass_rate=_pass_rate(results),
        disqualified=sum(y.disqualified for y in yards),
        community_rows=list(comms),
        best=[c for c in comms if c.rank <= 3],
        rol_rate=_rol_rate(results),
        rol_items=[r for r in rates if r.id in tagged],
        weakest_items=[r for r in rates if r.rate < 1][:WEAKEST],
        revisions=_revisions(results, standard),
        unscored=len(results.unscored),
        red=list(results.lists.red) if results.lists is not None else [],
        black=list(results.lists.black) if results.lists is not None else [],
        previous=_previous(results, previous) if previous is not None else None,
    )
