"""Run and paragraph formatting in WordprocessingML, as official documents need it: a named face
for Chinese and Latin text alike (theme fonts removed, since a theme font wins over a named one),
black text, indents, and the fonts' fallbacks declared in the font table (w:altName, which Word
and WPS use when a face such as 仿宋_GB2312 is not installed).

python-docx is imported inside the functions that need it (never at the command line's start-up).
"""

from __future__ import annotations

import copy
from typing import Any

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
BODY_FONT = "仿宋_GB2312"
HEADING_FONTS = {1: "黑体", 2: "楷体_GB2312"}  # 一、 and （一） headings (GB/T 9704-2012 §7.3.3)
TITLE_FONT = "方正小标宋简体"
PAGE_NUMBER_FONT = "宋体"
# Each face and the one Word/WPS should use when it is missing (GB2312-era names → the faces
# every Chinese Windows has → their English names).
FALLBACKS = {"仿宋_GB2312": "仿宋", "楷体_GB2312": "楷体", "方正小标宋简体": "宋体",
             "仿宋": "FangSong", "楷体": "KaiTi", "黑体": "SimHei", "宋体": "SimSun"}
_THEME_ATTRS = ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme")
# Children of w:rPr in schema order (Word rejects elements out of order).
_RPR_ORDER = ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
              "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing",
              "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText",
              "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath"]
_PPR_ORDER = ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
              "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
              "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
              "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
              "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
              "sectPr", "pPrChange"]


def w(tag: str) -> str:
    """The Clark name of a w: tag."""
    return f"{{{W_NS}}}{tag}"


def element(tag: str, **attrs: str) -> Any:
    """A new w: element with w: attributes."""
    from docx.oxml import OxmlElement

    made = OxmlElement(f"w:{tag}")
    for key, value in attrs.items():
        made.set(w(key), value)
    return made


def child(parent: Any, tag: str, order: list[str]) -> Any:
    """The w:`tag` child of `parent`, created in its schema position when missing."""
    found = parent.find(w(tag))
    if found is not None:
        return found
    made = element(tag)
    rank = order.index(tag)
    for index, existing in enumerate(parent):
        local = existing.tag.rsplit("}", 1)[-1]
        if local in order and order.index(local) > rank:
            parent.insert(index, made)
            return made
    parent.append(made)
    return made


_TBLPR_ORDER = ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
                "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar",
                "tblLook", "tblCaption", "tblDescription"]


def tblpr_child(tbl_pr: Any, tag: str) -> Any:
    """A child of w:tblPr, in schema order."""
    return child(tbl_pr, tag, _TBLPR_ORDER)


def rpr_child(rpr: Any, tag: str) -> Any:
    """A child of w:rPr, in schema order."""
    return child(rpr, tag, _RPR_ORDER)


def ppr_child(ppr: Any, tag: str) -> Any:
    """A child of w:pPr, in schema order."""
    return child(ppr, tag, _PPR_ORDER)


def set_font(rpr: Any, name: str) -> None:
    """`name` for Chinese and Latin text alike; theme fonts removed (they would win)."""
    fonts = rpr_child(rpr, "rFonts")
    for attr in _THEME_ATTRS:
        fonts.attrib.pop(w(attr), None)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(w(attr), name)
    fonts.set(w("hint"), "eastAsia")


def set_size(rpr: Any, points: float) -> None:
    """Font size in points (w:sz is in half-points)."""
    for tag in ("sz", "szCs"):
        rpr_child(rpr, tag).set(w("val"), str(round(points * 2)))


def set_black(rpr: Any) -> None:
    """Black text: no theme colour (Word's heading styles are theme blue)."""
    colour = rpr_child(rpr, "color")
    for attr in list(colour.attrib):
        del colour.attrib[attr]
    colour.set(w("val"), "000000")


def set_flag(rpr: Any, tag: str, on: bool) -> None:
    """Bold (b), italic (i) … explicitly on or off (off overrides a style that turns it on)."""
    for name in (tag, f"{tag}Cs"):
        flag = rpr_child(rpr, name)
        flag.set(w("val"), "1" if on else "0")


def face(rpr: Any, name: str, points: float | None = None, *, bold: bool = False) -> None:
    """The usual formatting of official text: `name`, size, black, bold or not, never italic."""
    set_font(rpr, name)
    if points is not None:
        set_size(rpr, points)
    set_black(rpr)
    set_flag(rpr, "b", bold)
    set_flag(rpr, "i", False)


def first_line_indent(ppr: Any, chars: int, points: float) -> None:
    """A first-line indent of `chars` characters (firstLineChars wins in Word; firstLine is the
    same in points for programs that ignore it); 0 clears any inherited indent."""
    ind = ppr_child(ppr, "ind")
    for attr in ("hanging", "hangingChars"):
        ind.attrib.pop(w(attr), None)
    ind.set(w("firstLineChars"), str(chars * 100))
    ind.set(w("firstLine"), str(round(chars * points * 20)))
    if chars == 0:
        for attr in ("left", "leftChars", "start", "startChars", "right", "rightChars", "end", "endChars"):
            ind.attrib.pop(w(attr), None)
        ind.set(w("left"), "0")
        ind.set(w("leftChars"), "0")
        ind.set(w("right"), "0")
        ind.set(w("rightChars"), "0")


def clean_copy(source: Any) -> Any:
    """A copy of a w:pPr or w:rPr to format new text like an existing paragraph: without a
    section break, tracked changes or list numbering of its own."""
    made = copy.deepcopy(source)
    for tag in ("sectPr", "pPrChange", "rPrChange", "numPr", "vanish", "webHidden", "specVanish"):
        for found in made.findall(w(tag)):
            made.remove(found)
    return made


def declare_fallbacks(document: Any) -> None:
    """Name each face's fallback in the font table (w:font/w:altName, charset GB2312)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from lxml import etree  # type: ignore[import-untyped]  # python-docx's own XML library

    part = document.part.part_related_by(RT.FONT_TABLE)
    root = etree.fromstring(part.blob)
    present = {f.get(w("name")) for f in root.findall(w("font"))}
    for name, alternative in FALLBACKS.items():
        if name in present:
            continue
        entry = etree.SubElement(root, w("font"))
        entry.set(w("name"), name)
        etree.SubElement(entry, w("altName")).set(w("val"), alternative)
        etree.SubElement(entry, w("charset")).set(w("val"), "86")  # GB2312
        etree.SubElement(entry, w("family")).set(w("val"), "modern" if name != "黑体" else "swiss")
        etree.SubElement(entry, w("pitch")).set(w("val"), "fixed")
    # python-docx keeps the font table as an opaque part: its bytes are replaced as a whole.
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
