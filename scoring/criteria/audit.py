"""Audit a version's legal bases against the regulations register as of a date.

For each citation (items, bonus items and vetoes):
- the law is not in the register → error;
- the law was repealed on or before the date → error, naming the law that replaced it;
- the law was amended (amendment adopted on or before the date) with effect after the
  version's effective_from → review;
- the law had not yet taken effect on the date → review.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from scoring.criteria.lawref import cite
from scoring.criteria.model import Basis, Criteria
from scoring.criteria.regulations import Register


@dataclass(frozen=True)
class Finding:
    """One citation that needs attention."""

    version: str
    item: str  # item or veto id
    item_name: str
    ref: str
    law: str  # the law's short title, or the ref when the register lacks it
    article: str
    level: str  # error | review
    finding: str
    on: date | None  # the date of the repeal or amendment
    replacement: str | None  # the short title of the replacing law

    @property
    def is_error(self) -> bool:
        """Errors make `score criteria audit` exit 1."""
        return self.level == "error"


def _citations(version: Criteria) -> list[tuple[str, str, Basis]]:
    out = [(i.id, i.name, b) for i in version.all_items for b in i.basis]
    out += [(v.id, v.name, b) for v in version.vetoes for b in v.basis]
    return out


def audit_version(version: Criteria, register: Register, as_of: date) -> list[Finding]:
    """Every finding for one version as of a date."""
    findings = []
    for ident, name, basis in _citations(version):
        base = {"version": version.version, "item": ident, "item_name": name, "ref": basis.ref,
                "article": basis.article or ""}
        if basis.ref not in register:
            findings.append(Finding(**base, law=basis.ref, level="error",
                                    finding="法规库中没有该法规，无法核对其效力", on=None,
                                    replacement=None))
            continue
        law = register.get(basis.ref)
        if law.repealed_on is not None and law.repealed_on <= as_of:
            by = register.regulations.get(law.repealed_by) if law.repealed_by else None
            new = by.short_title if by else None
            text = f"已于 {law.repealed_on.isoformat()} 废止" + (f"，由{cite(new)}取代" if new else "")
            findings.append(Finding(**base, law=law.short_title, level="error", finding=text,
                                    on=law.repealed_on, replacement=new))
            continue
        if law.effective > as_of:
            findings.append(Finding(**base, law=law.short_title, level="review",
                                    finding=f"尚未施行（{law.effective.isoformat()} 起施行）",
                                    on=law.effective, replacement=None))
        for amendment in law.amendments:
            if amendment.adopted <= as_of and amendment.effective > version.effective_from:
                findings.append(Finding(
                    **base, law=law.short_title, level="review",
                    finding=(f"于 {amendment.adopted.isoformat()} {amendment.note or '修改'}，"
                             f"{amendment.effective.isoformat()} 起施行，晚于本版本施行日期 "
                             f"{version.effective_from.isoformat()}，相关项目需复核"),
                    on=amendment.effective, replacement=None))
    return findings


def audit(versions: list[Criteria], register: Register, as_of: date) -> list[Finding]:
    """Findings for several versions, in version order."""
    return [f for v in versions for f in audit_version(v, register, as_of)]
