"""The report section from a results document: facts → Markdown (template) → Word blocks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scoring.criteria.standard import Standard
from scoring.engine.results import Results
from scoring.outputs.staging import Writer, text_writer
from scoring.report.blocks import Block, parse
from scoring.report.facts import report_facts
from scoring.report.render import render_markdown
from scoring.report.word import write_document


@dataclass
class Section:
    """The section as Markdown and as blocks for Word."""

    markdown: str
    blocks: list[Block]

    def writers(self) -> dict[str, Writer]:
        """report.md and report.docx, for `staging.write_all`."""
        return {"report.md": text_writer(self.markdown),
                "report.docx": lambda path: write_document(self.blocks, path)}


def build_section(results: Results, standard: Standard, previous: Results | None = None,
                  template: Path | None = None) -> Section:
    """Render the section for `results` (and the change on `previous`)."""
    markdown = render_markdown(report_facts(results, standard, previous), template)
    return Section(markdown, parse(markdown))
