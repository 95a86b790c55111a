"""One catalogue of issue kinds: a stable code, a level and a Chinese message template.

Checks yield `Issue`s and the caller collects them in a list. The terminal, `results.json` and the
数据问题 sheet all show the same `Issue` objects, so a problem reads the same everywhere.
Codes starting with E are errors (the row or file cannot be scored), W are warnings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from scoring.files import shown_path

# code -> message template. Placeholders are filled from keyword arguments of `make`.
CATALOGUE: dict[str, str] = {
    # criteria and regulations files
    "C001": "无法读取考核标准文件：{detail}",
    "C002": "文件不是 UTF-8 编码（可能是 GBK/ANSI）。请用记事本或 WPS 另存为“UTF-8”编码后重试",
    "C003": "JSON 格式错误（第 {line} 行第 {column} 列）：{detail}",
    "C004": "出现非法数值 {value}：考核标准中的分值必须是普通数字",
    "C005": "同一对象中键“{key}”出现了两次，请删除重复的一项",
    "C010": "不符合考核标准格式：{detail}",
    "C020": "编号“{value}”在本版本中重复出现",
    "C021": "各类别分值合计为 {value} 分，与满分 scale={expected} 不一致",
    "C022": "选项“{label}”的分值 {value} 超出 0 至 {expected} 分的范围",
    "C023": "步长 step={value} 不能整除该项分值 {expected}",
    "C024": "等级须按分数线从高到低严格递减：{detail}",
    "C025": "最后一个等级的分数线必须为 0（现为 {value}）",
    "C026": "引用了不存在的{kind}“{value}”",
    "C028": "版本 {value} 与版本 {other} 的生效日期都是 {expected}，同一标准的各版本生效日期不得相同",
    "C029": "选项名称“{label}”与不适用/免检标记冲突，请换一个名称",
    "C030": "计数项列出的条件只有 {value} 项，按每项分值需要 {expected} 项才能得满分：请增加条件，或提高每项分值",
    "C031": "等级名称“{value}”重复",
    "C032": "考核标准目录 {value} 中没有任何版本文件（*.json）",
    "C033": "文件名 {value} 与其中的版本号 {expected} 不一致：请把文件改名为 {expected}.json",
    "C040": "法规编号“{value}”重复",
    "C041": "法规“{value}”的日期前后矛盾：{detail}",
    "C042": "法规“{value}”被 repealed.by 指向的“{other}”不在法规库中",
    # criteria workspace, 标准编制表 and legal bases (issue 14): C240–C259, W340–W349
    "C240": "法律依据“{value}”不在法规库中{hint}可用 score regulations list 查看法规库；新法规请先加入法规库"
            "（score regulations export 导出、填写后 score regulations import 导入）",
    "C241": "法律依据“{value}”的写法不对：应写成《法规名称》第N条，多部法规分行写或用“；”隔开",
    "C242": "{field}应为{expected}，现为“{value}”",
    "C243": "缺少{field}",
    "C244": "{detail}",
    "C245": "找不到工作表“{value}”；文件中的工作表：{detail}。请使用 score criteria export 导出的标准编制表",
    "C247": "表头应为“{expected}”，现为“{value}”；请不要改动标题行",
    "W340": "新版本 {version} 的施行日期 {value} 早于今天（{expected}）：{detail}",
    "W341": "新版本 {version} 的施行日期 {value} 早于最新版本 {other} 的施行日期 {expected}：{detail}",
    "W342": "变更记录中没有版本 {version} 的记录；可加 --draft-changelog 由程序按与 {other} 版的对比起草变更记录",
    "W343": "已按与 {other} 版的对比起草 {value} 条变更记录（原因一栏待填写），请导出后在“变更记录”中核对",
    # inspection files: containers and layout
    "E101": "找不到文件或文件夹：{value}",
    "E102": "“{value}”是 Excel/WPS 打开文件时生成的临时锁定文件，不是检查记录；"
            "请选择不带 ~$ 的原文件（如已关闭 Excel/WPS 仍存在，可删除）",
    "E103": "无法打开该文件：{detail}",
    "E104": "文件夹中没有可读取的检查记录文件",
    "E105": "文件解压后有 {value}，超过上限 {expected}（可用 --max-size 调高）；文件可能已损坏或被恶意构造",
    "E106": "工作簿有 {value} 个工作表，超过上限 {expected} 个（可用 --max-sheets 调高）",
    "E107": "文件包含不安全的 XML 内容（DTD/实体声明），已拒绝读取；请在 Excel/WPS 中打开后另存为新的 .xlsx",
    "E108": "工作表的数据范围达到 {value}，超过 Excel 允许的最大范围（1,048,576 行 × 16,384 列），文件已损坏",
    "E109": "工作表的数据范围跨越 {value} 个单元格，超过上限 {expected}（可用 --max-cells 调高）；"
            "通常是远处某个单元格有内容或格式，请删除多余的行列后另存",
    # issue 16: legacy .xls, CSV bounds, the same input twice (E136–E139, W225–W229)
    "E136": "工作表的数据范围达到 {value}，超过 .xls 格式允许的最大范围（65,536 行 × 256 列），文件已损坏",
    "E137": "读到第 {value} 行时已有 {detail} 个单元格，超过上限 {expected}（可用 --max-cells 调高）；"
            "文件可能已损坏或不是检查记录",
    "E138": "读到第 {value} 行时已读取 {detail}，超过上限 {expected}（可用 --max-size 调高）",
    "E139": "与 {other} {detail}",
    # issue 16, round two (E146)
    "E146": "第 {value} 行超过 {expected} 列（Excel 允许的最多列数），文件可能已损坏或不是检查记录",
    "W225": "文件夹中的子文件夹未读取：{value}；如其中有检查记录，请把文件放到该文件夹中或单独列出",
    "E110": "所有工作表（{detail}）的前 {value} 行中都找不到表头（需要“社区”“楼院”“检查日期”三列）",
    "E111": "表头缺少“{value}”列（也可写作：{expected}）",
    "E112": "表头中“{value}”列出现了两次（{other}），无法判断以哪一列为准",
    "E113": "该行使用 {version} 版标准，但表中没有项目“{value}”对应的列",
    # inspection files: values
    "E120": "“{value}”不是有效的{kind}：{expected}",
    "E121": "该项为空：{expected}",
    "E122": "该项不允许填“不适用”：{expected}",
    "E123": "该项不允许填“免检”：{expected}",
    "E124": "单元格是 Excel 错误值 {value}：请在 Excel/WPS 中修正公式后保存",
    "E125": "该次检查所有项目均为“不适用”，无法计算得分",
    "E126": "单元格中是 WPS 嵌入图片（DISPIMG），不是检查结果：{expected}",
    "E127": "单元格是公式，但文件中没有保存计算结果：请在 Excel/WPS 中打开该文件、保存后重试",
    # issue 16: the .xlsx pre-flight (E128–E129)
    "E128": "工作表“{value}”和“{other}”指向文件中的同一份工作表数据（{detail}），Excel/WPS 不会这样保存；"
            "文件可能已损坏或被恶意构造，已拒绝读取",
    "E129": "{detail}，超过上限 {expected}；{advice}",
    "E130": "检查日期“{value}”无法识别：请填写如 2023-03-05 或 2023年3月5日 的日期",
    "E131": "检查日期为空",
    "E132": "社区名称为空",
    "E133": "楼院名称为空",
    "E134": "检查日期 {value} 早于考核标准最早版本的生效日期 {expected}，没有可用的标准版本",
    "E135": "否决项“{item}”的值“{value}”无法识别：{expected}",
    # run level
    "E150": "没有可评分的检查记录",
    "E151": "检查日期跨越 {value} 个年度（{detail}），请用 --period 指定考核期，例如 --period {expected}",
    "E152": "考核期“{value}”格式不对：请写成 2023（年度）或 2023Q2（季度）",
    "E153": "没有版本号为“{value}”的考核标准；现有版本：{expected}",
    "E154": "考核期 {value} 内没有检查记录（共 {detail} 行均在考核期外）",
    # workbooks the toolkit writes (issue 16): E155–E159
    "E155": "{version} 版考核标准的检查记录表需要 {value} 列（社区、楼院等 6 列和每个项目、否决项各一列），"
            "超过 Excel 每张工作表 {expected} 列的上限，无法生成；请减少项目",
    # warnings
    "W201": "表头“{value}”不是任何版本考核标准中的项目，该列未参与评分",
    "W202": "{value} 行检查记录的日期不在考核期 {expected} 内，未参与本次评分",
    "W205": "前 {value} 行中找不到表头（需要“社区”“楼院”“检查日期”三列），该工作表已跳过",
    "W301": "更新记录漏记了一项变更：{value}（{other} → {version} 的对比显示有此变更）",
    "W302": "更新记录所列变更“{value}”并未发生（{other} → {version} 的对比中没有）",
    "W303": "更新记录中“{value}”的字段与实际变更不符：{detail}",
    "W206": "测算模式（--criteria-version {version}）：表中没有项目“{value}”的列，按不适用处理",
    "W207": "工作表已隐藏，未读取；如需评分，请在 Excel/WPS 中取消隐藏",
    "W208": "{value}被隐藏，这些行仍参与评分",
    "W211": "文件扩展名是 {value}，但内容是 CSV 文本，已按 CSV 读取",
    "W209": "“{value}”和“{other}”可能是同一{kind}的两种写法，现按两个{kind}分别计算；如是同一{kind}，请统一名称",
    "W210": "与第 {other} 行是同一楼院同一天、内容完全相同的检查记录（可能重复录入），两行都已计入",
    "W204": "项目名称“{value}”对应多个项目编号（{expected}），已按编号 {item} 处理；建议表头写编号",
    # issue 15: the register named as itself; no guessed values; rows below the data
    "C050": "无法读取法规库文件：{detail}（法规库是考核标准文件夹上一级的 regulations.json，"
            "也可用 --regulations 指定）",
    "E160": "“{value}”有两种理解，请改填其中一种：填“否”表示不得分，填“不适用”表示本楼院没有此项",
    "E161": "“{value}”的单位不适合这一项：{expected}",
    "W260": "“{value}”是表格下方的签字、审核、合计或备注行，不是检查记录，已跳过",
    # issue 16 (hostile data): C200–C219, E160–E169 (E162–E169 here), W245–W249
    "C200": "JSON 嵌套过深（第 {line} 行第 {column} 列处超过 {expected} 层括号），不是考核标准或法规库文件的内容",
    "C201": "数字“{value}”过长（超过 {expected} 个字符）：分值应写成普通数字，如 12.5",
    "C202": "{field}为 {value}，{detail}",
    "C203": "文字“{value}”中有无法保存到 Excel/Word 的不可见字符（{detail}），请删除后重试",
    "E162": "考核期“{value}”超出范围：年份须在 {expected} 之间",
    "W245": "“{value}”中有无法保存到 Excel/Word 的不可见字符（{detail}），已删除，按“{expected}”处理{other}",
}


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem, with its position as the user sees it."""

    code: str
    message: str
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    item: str | None = None
    path: str | None = None  # JSON path, for criteria files
    where: str | None = None  # the JSON path in the office's words ("分类 法治建设 › 项目 LAW-02")
    community: str | None = None  # the row's 社区 and 楼院, when the issue is about a row
    courtyard: str | None = None
    value: str | None = None  # the value as filled in (填写值), when one is at fault
    expected: str | None = None  # what the cell should hold (应填)

    @property
    def is_error(self) -> bool:
        """Errors stop the row (or the run); warnings are only reported."""
        return not self.code.startswith("W")

    def location(self) -> str:
        """File › sheet!cell (or JSON path), the way the user finds it."""
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.sheet and self.cell:
            parts.append(f"{self.sheet}!{self.cell}")
        elif self.sheet:
            parts.append(self.sheet)
        elif self.cell:
            parts.append(self.cell)
        if (self.where or self.path) and not self.cell:  # a workbook cell says it already
            parts.append(self.where or self.path or "")
        return " › ".join(parts)

    def line(self) -> str:
        """The one-line form for the terminal."""
        where = self.location()
        item = f"［{self.item}］" if self.item else ""
        head = f"{where} " if where else ""
        return f"{head}{item}{self.message}（{self.code}）"

    def as_dict(self) -> dict[str, Any]:
        """The `results.json` form (fields fixed by docs/design.md §7)."""
        return {
            "code": self.code,
            "message": self.message,
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
            "item": self.item,
            "community": self.community,
            "courtyard": self.courtyard,
            "value": self.value,
            "expected": self.expected,
        }


def make(
    code: str,
    *,
    file: str | None = None,
    sheet: str | None = None,
    cell: str | None = None,
    item: str | None = None,
    path: str | None = None,
    row: RowId | str | None = None,
    **fields: Any,
) -> Issue:
    """Build an issue of kind `code`, filling its template from `fields` (and `item`). `row`
    names the inspection a row records (社区 楼院 检查日期, see `row_label`): the message starts
    with it, so a clerk with a printout finds the row in the terminal, results.json and 数据问题."""
    # A path whose name is not UTF-8 (held with lone surrogates) reaches no writer as it is.
    file = None if file is None else shown_path(file)
    fields = {key: shown_path(v) if isinstance(v, str) else v for key, v in fields.items()}
    template = CATALOGUE[code]
    message = template.format(item=item, **fields)
    if row and str(row):
        message = f"{row}：{message}"
    value, expected = fields.get("value"), fields.get("expected")
    known = row if isinstance(row, RowId) else RowId("", "", "")
    return Issue(code, message, file=file, sheet=sheet, cell=cell, item=item, path=path,
                 community=known.community or None, courtyard=known.courtyard or None,
                 value=None if value is None else str(value),
                 expected=expected if isinstance(expected, str) else None)


class RowId(NamedTuple):
    """The inspection a row records, as far as it is known: 社区, 楼院, 检查日期 (text)."""

    community: str
    courtyard: str
    day: str

    def __str__(self) -> str:
        """`一社区 甲院 2023-03-01`: the known parts (blank ones left out)."""
        return " ".join(p for p in self if p)


def row_label(community: Any, courtyard: Any, day: Any) -> RowId:
    """The identity of a row for messages and the 社区/楼院 columns of 数据问题."""
    return RowId(str(community or "").strip(), str(courtyard or "").strip(),
                 day.isoformat() if hasattr(day, "isoformat") else str(day or "").strip())
