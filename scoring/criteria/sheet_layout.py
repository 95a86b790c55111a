"""The 标准编制表 (docs/design.md §12): the sheets, their Chinese headers, what each column holds and
the input message Excel shows on it. The exporter writes this layout and the importer reads
it, so the two cannot drift apart."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "number", "integer", "yesno", "type", "method", "effect", "subject",
               "repeat", "date", "law", "lines", "category", "rates", "action", "fields", "version"]


@dataclass(frozen=True, slots=True)
class Col:
    """One column of a table sheet (or one row of a form sheet)."""

    header: str
    key: str
    kind: Kind
    width: int
    prompt: str
    required: bool = False


TYPE_LABELS = {"check": "是否", "scale": "打分", "choice": "选项", "deduct": "扣分", "count": "计数"}
METHODS = ("查资料", "看现场", "随机调查", "问卷")
EFFECT_LABELS = {"disqualify": "取消评选资格", "cap_grade": "最高评为", "zero_category": "该分类得分清零"}
SUBJECT_LABELS = {"courtyard": "楼院", "community": "社区"}
REPEAT_LABELS = {"mean": "平均", "latest": "最近一次", "min": "最低"}
ACTION_LABELS = {"added": "新增", "removed": "删除", "changed": "修改"}
# Changelog `fields` in the office's words (item fields, veto fields, standard-wide settings).
FIELD_LABELS = {
    "name": "名称", "type": "类型", "points": "分值", "per_unit": "每处扣分", "step": "步长",
    "choices": "选项", "conditions": "计数条件", "na": "允许不适用", "exempt": "允许免检",
    "basis": "法律依据", "category": "分类", "standard": "考核标准", "method": "考核方法",
    "effect": "否决后果", "grade": "限定等级", "grades": "等级", "scale": "满分",
    "bonus_cap": "加分上限", "repeat": "多次检查计分", "lists": "公示规则",
}
YES, NO = "是", "否"

INFO_SHEET = "说明"
BASIC_SHEET = "基本信息"
ITEMS_SHEET = "项目"
CHOICES_SHEET = "选项"
BONUS_SHEET = "加分项"
VETOES_SHEET = "否决项"
GRADES_SHEET = "等级"
LISTS_SHEET = "公示规则"
CHANGELOG_SHEET = "变更记录"
LAWS_SHEET = "法规名称"  # hidden: the register's titles for the 法律依据 drop-down
SHEETS = (INFO_SHEET, BASIC_SHEET, ITEMS_SHEET, CHOICES_SHEET, BONUS_SHEET, VETOES_SHEET,
          GRADES_SHEET, LISTS_SHEET, CHANGELOG_SHEET)

LAW_PROMPT = ("写成《法规名称》第N条，如《中华人民共和国民法典》第二百七十八条；可从下拉列表选法规名称再补条款。"
              "多部法规分行（Alt+回车）写。法规须已在法规库中（score regulations list）")
YESNO_PROMPT = "填“是”或“否”（也认 √/×）；留空表示未设定"

# 基本信息: one field per row (column A the name, column B the value).
BASIC_FIELDS = (
    Col("标准编号", "id", "text", 0, "标准的英文编号，如 beautiful-courtyard；各版本相同，一般不改", True),
    Col("标准名称", "title", "text", 0, "如：解放区美丽楼院创建考核标准", True),
    Col("发布单位", "issuer", "text", 0, "如：解放区社区办"),
    Col("版本号", "version", "version", 0, "新版本请改为新的版本号，如 2026.1；也可在导入时用 --version 指定", True),
    Col("施行日期", "effective_from", "date", 0, "本版本开始施行的日期，"
        "如 2026-01-01；此日及以后的检查按本版本评分", True),
    Col("考核对象", "subject", "subject", 0, "楼院 或 社区"),
    Col("满分", "scale", "number", 0, "基础项目满分，须等于“项目”表分值合计，如 100", True),
    Col("加分上限", "bonus_cap", "number", 0, "加分项最多加几分；没有加分项可留空"),
    Col("多次检查计分", "repeat", "repeat", 0, "同一楼院考核期内多次检查：平均、最近一次 或 最低"),
    Col("说明", "description", "text", 0, "对本标准的说明，可留空"),
)
CATEGORY_HEADER = "分类编号"
CATEGORY_COLS = (
    Col("分类编号", "id", "text", 0, "分类的英文编号，如 LAW；项目编号一般以它开头", True),
    Col("分类名称", "name", "text", 0, "如：法治建设；“项目”表的“分类”列填这里的名称", True),
    Col("计入法治建设", "rule_of_law", "yesno", 0, "该分类是否计入法治建设得分率：是 或 否"),
    Col("分类说明", "description", "text", 0, "可留空"),
)

_ITEM_COLS = (
    Col("编号", "id", "text", 10, "项目编号，如 LAW-02；检查记录表的表头用它，已有项目不要改编号", True),
    Col("名称", "name", "text", 22, "项目名称，如：法治宣传栏内容更新", True),
    Col("考核标准", "standard", "text", 34, "怎样算合格、怎样扣分，可留空"),
    Col("考核方法", "method", "method", 8, "查资料、看现场、随机调查 或 问卷；可留空"),
    Col("类型", "type", "type", 6, "是否：是得分否不得分；打分："
        "0 到分值；选项：按“选项”表；扣分：每处扣分扣完为止；计数：每项得分", True),
    Col("分值", "points", "number", 6, "该项满分，正数，如 3 或 2.5", True),
    Col("每处扣分", "per_unit", "number", 6, "扣分项：每处扣几分；计数项：每项得几分；其他类型留空"),
    Col("步长", "step", "number", 6, "打分项：分数的档距，如 0.5；留空按 0.5；其他类型留空"),
    Col("允许不适用", "na", "yesno", 6, "是：检查时可填“不适用”，该项不计分；" + YESNO_PROMPT),
    Col("允许免检", "exempt", "yesno", 6, "是：检查时可填“免检”，按满分计；" + YESNO_PROMPT),
    Col("法律依据", "basis", "law", 30, LAW_PROMPT),
    Col("计数条件", "conditions", "lines", 16, "计数项可列出各项条件，分行写或用“；”隔开；其他类型留空"),
    Col("备注", "note", "text", 12, "可留空"),
)
ITEM_COLS = (Col("分类", "category", "category", 10, "填“基本信息”中的分类名称，如：法治建设", True), *_ITEM_COLS)
BONUS_COLS = _ITEM_COLS
CHOICE_COLS = (
    Col("项目编号", "item", "text", 12, "类型为“选项”的项目（或加分项）的编号", True),
    Col("选项", "label", "text", 16, "检查时填写的选项名称，如：好", True),
    Col("分值", "points", "number", 8, "选该项得几分，0 到该项分值", True),
)
VETO_COLS = (
    Col("编号", "id", "text", 10, "否决项编号，如 VETO-01", True),
    Col("名称", "name", "text", 26, "如：发生重大火灾或责任伤亡事故", True),
    Col("考核标准", "standard", "text", 26, "可留空"),
    Col("否决后果", "effect", "effect", 14, "取消评选资格、"
        "最高评为（再填限定等级）或 该分类得分清零（再填清零分类）", True),
    Col("限定等级", "grade", "text", 10, "否决后果为“最高评为”时填等级名称，如：合格"),
    Col("清零分类", "category", "category", 10, "否决后果为“该分类得分清零”时填分类名称，如：安全有序"),
    Col("法律依据", "basis", "law", 30, LAW_PROMPT),
)
GRADE_COLS = (
    Col("等级", "name", "text", 10, "等级名称；从高到低逐行填写，最后一级分数线为 0", True),
    Col("分数线", "min", "number", 8, "达到该等级的最低总分", True),
    Col("是否达标", "pass", "yesno", 8, "该等级算不算达标：是 或 否", True),
    Col("须满分项目", "requires", "lines", 16, "评为该等级须得满分的项目编号，多个用“、”隔开；可留空"),
    Col("分类得分率要求", "min_rates", "rates", 22, "如：法治建设 90%（多个分行写）；可留空"),
)
LIST_FIELDS = (
    Col("红榜名额", "red.top", "integer", 0, "总分排名前几名上红榜（并列的一并上榜）", False),
    Col("红榜最低总分", "red.min_total", "number", 0, "上红榜至少要达到的总分；留空不限"),
    Col("红榜最低等级", "red.min_grade", "text", 0, "上红榜至少要达到的等级名称；留空不限"),
    Col("黑榜名额", "black.bottom", "integer", 0, "总分最低的几名上黑榜（并列的一并上榜）"),
    Col("黑榜最高总分", "black.max_total", "number", 0, "总分低于此分的都上黑榜；留空不限"),
    Col("黑榜包含取消评选资格的楼院", "black.include_disqualified", "yesno", 0, "是 或 否"),
)
LIST_DEFAULTS = {"red.top": "10", "red.min_total": "不限", "red.min_grade": "不限",
                 "black.bottom": "10", "black.max_total": "不限", "black.include_disqualified": "是"}
CHANGELOG_COLS = (
    Col("版本", "version", "text", 8, "这条记录属于哪个版本，如 2026.1；同一版本的各行连续排列", True),
    Col("日期", "date", "date", 11, "记录日期，如 2025-12-20（同一版本各行相同，可只填第一行）"),
    Col("概述", "summary", "text", 30, "本版本修订概述（同一版本可只填第一行）"),
    Col("项目编号", "item", "text", 10, "变更的项目编号；否决项、整体设置留空"),
    Col("否决项编号", "veto", "text", 10, "变更的否决项编号"),
    Col("分类编号", "category", "text", 8, "变更的分类编号（一般留空）"),
    Col("变更", "action", "action", 6, "新增、删除 或 修改"),
    Col("变更字段", "fields", "fields", 14, "修改了哪些字段，如："
        "分值、法律依据（用“、”隔开）；等级、满分等整体设置也写在这里"),
    Col("原因", "reason", "text", 30, "为什么变更，如：治安管理处罚法修订"),
    Col("法律依据", "basis", "law", 26, LAW_PROMPT),
)
TABLE_COLS: dict[str, tuple[Col, ...]] = {
    ITEMS_SHEET: ITEM_COLS, CHOICES_SHEET: CHOICE_COLS, BONUS_SHEET: BONUS_COLS,
    VETOES_SHEET: VETO_COLS, GRADES_SHEET: GRADE_COLS, CHANGELOG_SHEET: CHANGELOG_COLS,
}

INSTRUCTIONS = (
    "考核标准编制表：怎样修改考核标准",
    "",
    "1. 本工作簿由 score criteria export 导出，"
        "每个工作表是考核标准的一部分：基本信息（版本号、施行日期、满分、分类）、"
    "项目（每行一个基础项目）、选项（“选项”类项目的各个选项和分值）、"
        "加分项、否决项、等级、公示规则（红黑榜）、变更记录。",
    "2. 第一行是标题行，已锁定，请不要改动；"
        "在标题下面修改、增加或删除行即可（工作表保护没有密码，只为防止误改标题）。"
    "点单元格时会显示填写说明，带下拉箭头的单元格可从列表中选择。",
    "3. 修订标准：在“基本信息”中改版本号和施行日期（或导入时用 --version、"
        "--effective 指定），修改项目、分值、法律依据，"
    "并在“变更记录”中为新版本逐项写明变更和原因（也可导入时加 --draft-changelog，由程序按对比结果起草）。",
    "4. 法律依据写成《法规名称》第N条，如《中华人民共和国民法典》第二百七十八条，多部法规分行写（Alt+回车）。"
    "引用的法规须已在法规库中：新法规先用 score regulations export 导出法规库，"
        "填写后 score regulations import 导入。",
    "5. 是否类的格子填“是”或“否”（也认 √、×）；数字可带“分”字，全角数字也可以。留空表示不设定。",
    "6. 改好后保存，运行 score criteria import 本文件.xlsx。程序会检查全部内容：有错误时逐条列出工作表和单元格"
    "（如“项目!G12：分值应为正数”），不会生成任何文件；"
        "没有错误时把新版本保存到工作区，并显示与上一版本的对比和法规依据审核结果。",
    "7. 已有版本不会被覆盖。已评分的检查记录按检查当天施行的版本计分；"
        "新版本施行日期早于今天时，程序会提示哪些检查记录会受影响。",
)
