"""Hazard-ledger (隐患台账) import: find the header, map its columns onto our fields, read and check rows.

Real ledgers come in many layouts, so nothing here is tied to one template:

1. **The sheet and its header.** Every sheet is read with all its rows and merged ranges
   (`core.excel.read_sheets`: .xlsx, .xls, .ods, CSV/TSV, and the HTML tables or XML 2003
   spreadsheets that web systems save as ".xls"). In the first 60 rows, each row is scored by how many of its cells
   are recognisable column names (below); the best row is the header. Title rows above it
   ("XX公司隐患排查治理台账", "填报单位：… 填报日期：…") are kept as `meta`; a form above the table
   ("被检查单位：XX公司", "检查日期 | 2024-05-06") gives every row its enterprise, found date, found
   by or region when the table has no such column (never from 填报单位/填报日期). The header grows to
   two or three rows when a neighbour row is a parent or child row: merged cells span it
   ("整改情况" over "整改措施|责任人|完成时限"), or, in a CSV without merges, a row of group labels
   has blanks exactly where the row below has names. The best-scoring sheet of a workbook is used.
2. **Column → field.** A header is normalised (NFKC so full-width becomes half-width, lower case,
   leading "1、" numbering, whitespace, line breaks and punctuation removed; bracketed parts such
   as units "（万元）" or explanations "（包括工程技术措施…）" removed for matching, a unit kept as a
   multiplier for funds). Its candidates come from, in order of strength: the exact synonym table
   (score 100), keyword rules with priorities (`RULES`), a combined cell "X及Y" matched part by part,
   and for a child of a two-row header its parent as context (`CONTEXT`: under "整改情况" 时间 →
   rectified_date; under "验收" 人员 → verified_by, 时间 → closed_date; under "五落实" 责任/措施/资金/时限
   → responsible_person/measures/funds/deadline). The column's values then move the scores
   (`_apply_values`): a "隐患等级" full of numbers loses level to a "隐患类型" full of 一般/重大;
   a bare "区域" whose values end in 镇/街道/村 is a region; a date field whose values are long
   text loses. Tick columns ("治理状态" over "未治理|已治理", "隐患级别" over "一般|重大") form one
   group whose value is the label of the ticked column.
   Finally fields are given out greedily, best score first, so **no field goes to two columns**.
   A column that loses its field, or is recognised as a real ledger column we have no field for
   (photos, signatures, phones, penalties, responsible department, supervising unit, plan 预案,
   risk level, equipment, causes, a second remarks column …), maps to **"other"**: kept in the
   row's `_extra`, never imported. A header we do not recognise at all maps to **null**.
3. **Rows.** Data rows follow the header. Skipped without counting: blank rows (a row with only a
   pre-filled 序号 is blank), a numbering row "1 2 3 …", a template hint or unit row right under
   the header ("（万元）" there sets the funds unit), repeated header rows, section rows ("一、生产车间" or one cell merged across the
   table), totals (合计/小计) and footers ("注：…", "填表人：… 审核人：…"), and rows whose
   description says nothing was found ("无隐患"). A vertically merged body cell (the same
   enterprise for several rows) is carried down to every row it spans.
4. **Checks**, each error being {"row": Excel row number, "column": original header, "message"}:
   description missing; a date that cannot be read (accepted: 2024-05-01, 2024/5/1, 2024.5.1,
   2024年5月1日, 二〇二四年五月一日, 20240501, Excel serial numbers, 2024年5月 / 5月底前 / 5月20日 /
   年底前 (year from the row's found date, else from the title), 7天内 / 一个月内 / 立即 (from the
   found date, as does a number under "整改期限（天）"), ranges "5.1-5.10" → the end for a deadline); a level other than 一般/重大
   (一般隐患, 重大事故隐患, "是否重大"=是/否 accepted; 较大 is reported); funds that are not an
   amount ("2万元" → 20000, "5000元", header unit "（万元）" multiplies; 是/否 flag columns are
   read as no amount).

`parse_ledger(source, filename)` returns a `LedgerParse`; rows hold normalised values: dates as
`datetime.date`, level "一般"/"重大", funds as `Decimal` yuan, status as 已销号/已整改/整改中/未整改 when
recognisable (else the text), everything else as trimmed text; `_extra` keeps the "other" and
unrecognised columns' text by header. A file that cannot be a ledger at all (not a table, no
recognisable header) raises ApplicationError; a header without a description column is one error
with row None. `overrides` lets the confirmation page correct the mapping.
"""

import calendar
import functools
import re
import unicodedata
from dataclasses import dataclass, field as dc_field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from zhiben.core.excel import cell_text, read_sheets
from zhiben.core.exceptions import ApplicationError

FIELDS = (
    "seq", "enterprise", "address", "region", "industry", "description", "level", "category", "found_date",
    "found_by", "source_channel", "measures", "responsible_person", "deadline", "funds", "status",
    "rectified_date", "verified_by", "closed_date", "remarks", "other",
)
FIELD_LABELS = {
    "seq": "序号", "enterprise": "单位/场所名称", "address": "隐患部位/地址", "region": "所属区域（镇街/村社区）",
    "industry": "行业领域", "description": "隐患描述", "level": "隐患等级", "category": "隐患类别",
    "found_date": "发现日期", "found_by": "发现人", "source_channel": "发现渠道", "measures": "整改措施",
    "responsible_person": "整改责任人", "deadline": "整改期限", "funds": "整改资金", "status": "整改状态",
    "rectified_date": "整改完成日期", "verified_by": "验收人", "closed_date": "销号日期", "remarks": "备注",
    "other": "其他（保留，不导入）",
}
DATE_FIELDS = ("found_date", "deadline", "rectified_date", "closed_date")
HEADER_SCAN_ROWS = 60
MAX_ERRORS = 2000


@dataclass
class LedgerColumn:
    """One column of the ledger: where it is, its header, what it was mapped to and why."""

    index: int
    key: str
    labels: list
    field: str | None = None
    score: int = 0
    candidates: dict = dc_field(default_factory=dict)
    factor: Decimal = Decimal(1)  # funds unit from the header: （万元） → 10000
    group: list = dc_field(default_factory=list)  # tick group: [(column index, option label), …]
    yes_no: bool = False  # "是否重大隐患": 是/否 values
    days: bool = False  # "整改期限（天）": numbers are days after the found date


@dataclass
class LedgerParse:
    """What a ledger file says: the column mapping, the data rows and the problems found."""

    mapping: dict
    header_rows: list
    rows: list
    errors: list
    columns: list = dc_field(default_factory=list)
    sheet: str = ""
    meta: dict = dc_field(default_factory=dict)

    def as_json(self):
        return {"mapping": self.mapping, "rows": len(self.rows), "errors": self.errors}

    def field_columns(self):
        return {c.field: c for c in self.columns if c.field and c.field != "other"}


# ---------------------------------------------------------------- header text

_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕|<[^<>]*>|《[^《》]*》|\{[^{}]*\}")
_NON_WORD = re.compile(r"[\W_]+")
_LEADING_NUMBER = re.compile(r"^\s*(?:[一二三四五六七八九十]+|\d{1,2})\s*[、.．)]\s*(?=\D)")


def normalise(text):
    """(full, core) forms of a header: punctuation and whitespace removed; core also drops (…) parts."""
    t = unicodedata.normalize("NFKC", str(text or "")).lower()
    t = _LEADING_NUMBER.sub("", t)
    full = _NON_WORD.sub("", t)
    stripped = t
    for _ in range(3):
        stripped = _BRACKETS.sub("", stripped)
    core = _NON_WORD.sub("", stripped)
    return full, core or full


SYNONYMS = {
    # seq
    "序号": "seq", "序": "seq", "编号": "seq", "no": "seq", "隐患编号": "seq", "顺序号": "seq",
    # enterprise
    "单位名称": "enterprise", "企业名称": "enterprise", "生产经营单位": "enterprise", "生产经营单位名称": "enterprise",
    "被检查单位": "enterprise", "检查企业名称": "enterprise", "隐患原单位": "enterprise", "场所名称": "enterprise",
    "企业单位名称": "enterprise", "单位": "enterprise", "企业": "enterprise", "受检单位": "enterprise",
    # address
    "隐患部位": "address", "地点": "address", "位置": "address", "具体位置": "address", "隐患地址": "address",
    "地址": "address", "检查工点": "address", "隐患所在区域部门": "address", "隐患位置": "address", "隐患地点": "address",
    # region
    "所属镇街": "region", "镇街": "region", "街道": "region", "乡镇": "region", "村社区": "region", "所在镇": "region",
    "地区": "region", "所属区域": "region", "所属街道": "region", "所属乡镇": "region",
    # industry
    "行业": "industry", "行业领域": "industry", "所属行业": "industry", "行业与领域": "industry", "行业类别": "industry",
    # description
    "隐患内容": "description", "隐患描述": "description", "隐患名称": "description", "存在问题": "description",
    "问题描述": "description", "隐患问题描述": "description", "检查地点存在问题及隐患": "description",
    "隐患情况": "description", "存在的问题": "description", "隐患问题": "description", "事故隐患": "description",
    "隐患": "description", "问题": "description", "存在隐患": "description", "隐患具体内容": "description",
    # level
    "隐患等级": "level", "隐患级别": "level", "级别": "level", "等级": "level", "一般或重大": "level", "一般重大": "level",
    # category
    "隐患类别": "category", "隐患类型": "category", "类型": "category", "类别": "category", "分类": "category",
    "隐患分类": "category", "检查项": "category",
    # found
    "排查时间": "found_date", "排查日期": "found_date", "发现时间": "found_date", "发现日期": "found_date",
    "检查时间": "found_date", "检查日期": "found_date", "录入时间": "found_date",
    "排查人": "found_by", "排查人员": "found_by", "检查人": "found_by", "检查人员": "found_by", "发现人": "found_by",
    "上报人": "found_by",
    "来源": "source_channel", "隐患来源": "source_channel", "发现渠道": "source_channel", "检查类型": "source_channel",
    "排查方式": "source_channel", "发现方式": "source_channel", "执法文书": "source_channel",
    # rectification
    "整改措施": "measures", "治理措施": "measures", "防范措施": "measures", "采取措施": "measures", "整改要求": "measures",
    "责任人": "responsible_person", "整改责任人": "responsible_person", "负责人": "responsible_person",
    "整改负责人": "responsible_person",
    "整改期限": "deadline", "完成时限": "deadline", "计划完成时间": "deadline", "整改时限": "deadline",
    "要求整改日期": "deadline",
    "资金": "funds", "整改资金": "funds", "投入": "funds", "整改金钱": "funds", "治理资金": "funds",
    "整改状态": "status", "完成情况": "status", "是否整改": "status", "整改情况": "status", "状态": "status",
    "治理状态": "status", "处置状态": "status", "复查结果": "status", "销号情况": "status", "审核状态": "status",
    "完成时间": "rectified_date", "整改完成日期": "rectified_date", "实际完成时间": "rectified_date",
    "整改完成时间": "rectified_date", "整改时间": "rectified_date",
    "验收人": "verified_by", "复查人": "verified_by", "核查人": "verified_by",
    "销号时间": "closed_date", "销号日期": "closed_date",
    "备注": "remarks",
}

# (field, priority, pattern, exclude) — matched against the core form; every match is a candidate.
RULES = [(f, p, re.compile(rx), re.compile(ex) if ex else None) for f, p, rx, ex in [
    # recognised columns that have no field of ours
    ("other", 97, r"照片|图片|相片|影像|视频|附件|图像|截图|录像", None),
    ("other", 97, r"签字|签名|盖章|签章|手印", None),
    ("other", 97, r"电话|手机|联系方式|联系号码|邮箱", None),
    ("other", 97, r"罚款|处罚|罚没|罚金", None),
    ("other", 97, r"风险(等级|级别|分级|点|源|类别|评价|值|管控)|危险源|危险有害因素|^lec|ls值", None),
    ("other", 97, r"信用代码|组织机构代码|营业执照|注册号|代码$", None),
    ("other", 97, r"法定代表人|(?<!执)法人|主要负责人|实际控制人|安全负责人|企业负责人|单位负责人|安全管理人员|分管负责人", None),
    ("other", 97, r"经度|纬度|坐标|gps|定位", None),
    ("other", 97, r"督办|挂牌", r"挂牌(时间|日期)"),
    ("other", 96, r"依据|条款|判定标准|法律法规|标准规范", None),
    ("other", 96, r"原因", None),
    ("other", 96, r"预案", None),
    ("other", 96, r"意见", r"整改意见|处理意见|处置意见"),
    ("other", 96, r"通知书|文书(编号|号)|文号", None),
    ("other", 96, r"设备|设施|装置|管道|管线|线路|电缆|电压|型号|规格", r"部位|位置|地点"),
    ("other", 96, r"标准化|资质|信用等级|(企业|单位|用户|客户)(类型|性质|规模)|经济类型|^规模", None),
    ("other", 96, r"人数|面积|数量|产值|从业人员", None),
    ("other", 96, r"^(操作|选择|勾选)$", None),
    ("other", 90, r"责任(单位|部门|科室|班组|领导)|整改(单位|部门)|(部门|科室|班组)$|^(检查|排查|巡查|督查)(项目|内容|标准|要求)$", None),
    ("other", 60, r"联系人|目标|任务|天数|超期|逾期|(上报|填报|报送|建设|设计|监理|勘察)(单位|部门)$", None),
    ("other", 50, r"^是否|^落实", None),
    # description
    ("description", 93, r"隐患.{0,6}(内容|描述|情况|名称|问题|简述|详情|说明|表现|具体|事实|现状)|(问题|情况).{0,4}隐患$",
     r"整改|治理|来源|原因|类别|类型|等级|级别|部位|地点|位置|编号|单位|区域|状态|处置|销号|验收|复查|图片|照片|数"),
    ("description", 88, r"存在(的)?(问题|隐患|不足)|发现(的)?(问题|隐患)|问题(描述|内容|详情|说明|表现)|不符合(项|情况)?|"
     r"违法(违规)?(行为|事实|问题)|违规(行为|问题)|主要问题|安全隐患|检查情况$|检查发现|^隐患(及|和)?问题$", r"数$|数量|原因"),
    ("description", 70, r"问题$|隐患$", r"数$"),
    ("description", 60, r"^检查结果$", None),
    # level
    ("level", 95, r"^(隐患)?(等级|级别|分级|级次|程度)$|隐患(等级|级别|分级)|一般.{0,2}重大|重大.{0,2}一般|是否(为|属于)?重大", None),
    ("level", 75, r"等级|级别", None),
    # category
    ("category", 90, r"^(隐患)?(类别|类型|分类|种类|性质|属性)$|隐患(类别|类型|分类|种类|性质|属性)", None),
    ("category", 80, r"^检查项$|^专业$|专业类别|问题(类别|类型|分类)", None),
    ("category", 60, r"类别|类型|分类", None),
    # industry
    ("industry", 94, r"行业|领域", r"部门|单位"),
    ("industry", 80, r"场所(类型|类别|性质)", None),
    # region
    ("region", 93, r"镇街|街镇|街道|乡镇|^(所在|所属)?(镇|乡|村)|村(居|社区)|社区|(所属|所在)(地区|区域|辖区|片区|网格)|"
     r"^(地区|辖区|片区|网格|属地|区县|县区|行政区|行政区划)$|属地", r"隐患|部位|具体|详细|地址|部门"),
    ("region", 75, r"^区域$", None),
    ("region", 90, r"(行政|自然)?村$|村组$|社区$|居委会$", r"隐患|部位|地址"),
    ("region", 85, r"^(县|区|县市区|市县区|区县|县区|所属县|所属区)$", None),
    ("region", 80, r"^(市|市县|县市|市州|地市|所属市)$", None),
    # address
    ("address", 90, r"部位|地点|位置|地址|工点|点位|隐患.{0,4}区域|区域.{0,2}部门", None),
    ("address", 80, r"^(检查|作业|施工|所在)?区域$", None),
    ("address", 86, r"路段|路口|点段|线路位置", None),
    ("address", 84, r"桩号", None),
    ("address", 75, r"车间|岗位|工段|场所$|楼层|房间|道路|路名|河道|水域", None),
    # enterprise
    ("enterprise", 95, r"(单位|企业|公司|场所|商户|店铺|门店|经营户|业户|厂矿|工厂|市场主体)(的)?(名称|全称|名字)|生产经营单位|"
     r"被(检查|排查|督查|执法)?(单位|企业|对象|场所)|受检(单位|企业)|检查(对象|企业)|隐患(所在|原)?单位$|存在隐患(的)?单位|"
     r"^(单位|企业|公司|店名|商户|场所|厂名|店铺|企业名|单位名)$|(用户|客户|业主|户主|经营者)(名称|姓名)|经营主体|主体名称",
     r"(?<!被)检查单位|(?<!被)排查单位|责任单位|整改单位|验收单位|复查单位|督办单位|上报单位|填报单位|主管|监管|地址|电话|负责人|联系人|代码|类型|性质"),
    ("enterprise", 80, r"^(施工|生产|经营|使用|运营|承包|产权|管理)单位$|^(所属|所在|涉及|隐患)单位$", None),
    ("enterprise", 80, r"^(所属|所在|涉及)(企业|公司)$", None),
    ("enterprise", 65, r"(项目|工程|标段)(名称)?$", r"(检查|排查|巡查|评估|考核|督查)项目"),
    # found
    ("found_date", 95, r"(排查|发现|检查|巡查|巡检|督查|督导|抽查|暗访|执法|登记|上报|报告|填报|录入|受理|举报|采集|创建|提交|安检)(隐患|问题)?(的)?(时间|日期)",
     r"复查|复检|验收|整改"),
    ("found_date", 70, r"挂牌(时间|日期)", None),
    ("found_date", 50, r"^(月份|年月|日期|时间)$", None),
    ("found_by", 93, r"(排查|发现|检查|巡查|巡检|督查|督导|抽查|暗访|上报|报告|填报|录入|登记|执法|举报|创建|提交)(人|人员|者|组|组成员|小组|组长|队员)$|检查组", None),
    ("found_by", 90, r"(排查|检查|巡查)责任人", None),
    ("found_by", 85, r"^(安检员|检查员|巡查员|巡检员|安全员|网格员|督查员|监督员)$", None),
    ("found_by", 75, r"(检查|排查|督查|执法|巡查|发现)(单位|部门|机构|班组|科室)$", None),
    ("source_channel", 93, r"来源|渠道|(发现|录入|排查|检查|上报|报送|采集|登记)(方式|途径|形式|类型|类别|方法)|检查性质", None),
    ("source_channel", 80, r"^执法文书$|^文书类型$", None),
    # rectification
    ("measures", 75, r"^(整改|治理)(说明|记录|描述|内容说明)$", None),
    ("measures", 93, r"(整改|治理|防范|处理|处置|控制|管控|纠正|预防|应急|安全|采取|补救|临时|防控|改进)(的)?(措施|方案|要求|建议|意见|办法)|"
     r"措施$|^整改内容$|整改及防范措施", r"落实|是否"),
    ("responsible_person", 92, r"责任人|负责人|整改人|落实人|承办人|经办人|处理人|整改责任|包保",
     r"验收|复查|检查|排查|发现|上报|(单位|部门)(?!.*(责任人|负责人))"),
    ("deadline", 95, r"期限|时限|限期|限改|限定|时间要求|日期要求|截止(时间|日期)|(计划|要求|应|规定|预计|预定|承诺|拟)(整改)?(完成|整改|治理|销号)(的)?(时间|日期)|要求完成|计划完成", r"^落实"),
    ("funds", 92, r"资金|经费|费用|投入|投资|金额|金钱|预算|造价", None),
    ("status", 90, r"(整改|治理|处置|处理|办理|审核|销号|闭环|完成|验收|复查|复检|落实|办结|跟踪)(到位|落实|完成)?(的)?(状态|情况|结果|进度|进展|结论)|"
     r"^(当前|隐患|处理|整改|治理)?状态$|是否.{0,4}(整改|完成|销号|闭环|治理|消除|处理|办结)", None),
    ("status", 70, r"当前节点|^进度$|^结果$|闭环", None),
    ("rectified_date", 90, r"(整改|治理|实际|处置|完成整改|整改完成|治理完成)(完成)?(的)?(时间|日期)|完成(时间|日期)|实际完成",
     r"计划|要求|预计|应|规定|拟"),
    ("verified_by", 92, r"(验收|复查|复检|核查|复核|核验|验证|确认|销号|审核)(责任人|人|人员|者|负责人|签字人)$|验收(组|小组)", None),
    ("verified_by", 70, r"(验收|复查|复核|核查)(单位|机构)$", None),
    ("closed_date", 95, r"(销号|闭环|关闭|注销)(的)?(时间|日期)|^销号$", None),
    ("closed_date", 88, r"(验收|复查|复检|复核|核查|核验|验证|审核)(通过)?(的)?(时间|日期)", None),
    ("remarks", 95, r"^(备注|说明|其他|其它|附注|备考|备注说明|其他说明|情况说明)\d*$", None),
    ("seq", 96, r"^(序号|序|编号|no|nr|number|id|顺序号|序列号|序列|排序|流水号|行号|序次|登记号)$", None),
    ("seq", 85, r"(隐患|台账|登记|问题|记录)(编号|序号|编码|代码)$|编号$|序号$", None),
]]

# Leaf words that mean little alone, and the parent-header groups that give them a meaning.
LEAF_KINDS = [
    ("time", r"^(时间|日期|完成时间|完成日期|年月日)$"), ("deadline", r"^(时限|期限)$"),
    ("person", r"^(人|人员|姓名|签字|签名|责任人|负责人|经办人)$"), ("unit", r"^(单位|部门|科室)$"),
    ("content", r"^(内容|描述|名称|问题|情况说明)$"), ("measures", r"^(措施|方案|要求|办法)$"),
    ("status", r"^(情况|结果|状态|进度|结论|完成情况)$"), ("funds", r"^(资金|经费|金额|费用|投入)$"),
    ("level", r"^(等级|级别)$"), ("category", r"^(类别|类型|分类)$"), ("place", r"^(部位|地点|位置|地址|区域)$"),
    ("way", r"^(方式|来源|形式|渠道)$"), ("responsibility", r"^责任$"), ("plan", r"^预案$"),
]
LEAF_KINDS = [(k, re.compile(rx)) for k, rx in LEAF_KINDS]
PARENT_KINDS = [(k, re.compile(rx)) for k, rx in [
    ("fivefold", r"五落实|^落实"), ("verify", r"验收|复查|复检|复核|核查|销号|闭环|核验|验证"),
    ("rectify", r"整改|治理|处置|处理|落实"), ("found", r"排查|检查|发现|巡查|督查|上报|登记"),
    ("hazard", r"隐患|问题"), ("enterprise", r"单位|企业|场所|基本(情况|信息)|被检查"), ("responsible", r"责任"),
]]
CONTEXT = {
    ("fivefold", "responsibility"): "responsible_person", ("fivefold", "person"): "responsible_person",
    ("fivefold", "measures"): "measures", ("fivefold", "funds"): "funds", ("fivefold", "deadline"): "deadline",
    ("fivefold", "time"): "deadline", ("fivefold", "plan"): "other", ("fivefold", "unit"): "other",
    ("rectify", "time"): "rectified_date", ("rectify", "deadline"): "deadline", ("rectify", "person"): "responsible_person",
    ("rectify", "responsibility"): "responsible_person", ("rectify", "measures"): "measures", ("rectify", "content"): "measures",
    ("rectify", "status"): "status", ("rectify", "funds"): "funds", ("rectify", "unit"): "other", ("rectify", "plan"): "other",
    ("verify", "time"): "closed_date", ("verify", "person"): "verified_by", ("verify", "status"): "status",
    ("verify", "unit"): "other", ("verify", "content"): "other",
    ("found", "time"): "found_date", ("found", "person"): "found_by", ("found", "unit"): "found_by",
    ("found", "way"): "source_channel", ("found", "content"): "description", ("found", "place"): "address",
    ("found", "status"): "description",
    ("hazard", "content"): "description", ("hazard", "status"): "description", ("hazard", "level"): "level",
    ("hazard", "category"): "category", ("hazard", "place"): "address", ("hazard", "way"): "source_channel",
    ("hazard", "time"): "found_date", ("hazard", "person"): "found_by",
    ("enterprise", "content"): "enterprise", ("enterprise", "place"): "address", ("enterprise", "person"): "other",
    ("responsible", "person"): "responsible_person", ("responsible", "unit"): "other", ("responsible", "deadline"): "deadline",
}
GENERIC_DEFAULTS = {"time": ("found_date", 55), "status": ("status", 60), "content": ("description", 72),
                    "category": ("category", 60), "person": ("found_by", 40), "way": ("source_channel", 80),
                    "place": ("address", 80), "funds": ("funds", 85), "deadline": ("deadline", 95)}

OPTIONS = {
    "level": {"一般", "重大", "一般隐患", "重大隐患", "一般事故隐患", "重大事故隐患", "较大", "较大隐患"},
    "status": {"已整改", "未整改", "已治理", "未治理", "整改中", "治理中", "已完成", "未完成", "已销号", "未销号", "已闭环",
               "未闭环", "完成", "正在整改", "逾期", "逾期未整改", "已验收", "待验收", "是", "否", "已处理", "未处理"},
    "source_channel": {"自报", "代报", "自查", "企业自查", "督查", "督导检查", "执法", "执法检查", "举报", "群众举报", "暗访",
                       "交办", "上级交办", "监测", "监测预警", "日常检查", "专项检查", "综合检查", "季节性检查", "节假日检查"},
    "category": {"人的不安全行为", "物的不安全状态", "管理缺陷", "管理上的缺陷", "环境因素", "环境不良", "基础管理", "现场管理",
                 "基础管理类", "现场管理类"},
}


def header_candidates(text):
    """{field: score} for one header text alone (no parent, no values)."""
    full, core = normalise(text)
    found = {}

    def add(f, score):
        if score > found.get(f, 0):
            found[f] = score

    if core in SYNONYMS:
        add(SYNONYMS[core], 100)
    elif full in SYNONYMS:
        add(SYNONYMS[full], 98)
    for f, priority, rx, exclude in RULES:
        if rx.search(core) and not (exclude and exclude.search(core)):
            add(f, priority)
    if not found and full != core:
        for f, priority, rx, exclude in RULES:
            if rx.search(full) and not (exclude and exclude.search(full)):
                add(f, priority - 10)
    parts = [p for p in re.split(r"及|和|与|并|、", core) if p]
    if len(parts) > 1:  # "整改单位及责任人", "责任人及联系电话": each part speaks for itself
        meaningful = False
        for position, part in enumerate(parts):
            own = header_candidates(part)
            meaningful |= bool(own) and max(own, key=own.get) != "other"
            for f, score in own.items():
                add(f, score - 6 - min(position, 1))  # on a tie the first part wins
        if meaningful:
            found.pop("other", None)
    return found


def _leaf_kind(core):
    return next((k for k, rx in LEAF_KINDS if rx.search(core)), None)


def _parent_kind(core):
    return next((k for k, rx in PARENT_KINDS if rx.search(core)), None)


def column_candidates(labels):
    """{field: score} for a column whose header texts, top to bottom, are `labels`."""
    leaf = labels[-1]
    found = dict(header_candidates(leaf))
    _, leaf_core = normalise(leaf)
    kind = _leaf_kind(leaf_core)
    parents = labels[:-1]

    def add(f, score):
        if score > found.get(f, 0):
            found[f] = score

    for parent in reversed(parents):
        _, parent_core = normalise(parent)
        pkind = _parent_kind(parent_core)
        if kind and (pkind, kind) in CONTEXT:
            add(CONTEXT[(pkind, kind)], 91)
        for f, score in header_candidates(parent_core + leaf_core).items():
            add(f, score - 8)
    if kind in GENERIC_DEFAULTS and not found:
        f, score = GENERIC_DEFAULTS[kind]
        add(f, score - (10 if parents else 0))
    return found


def _funds_factor(labels):
    text = unicodedata.normalize("NFKC", "".join(labels))
    if "万元" in text or re.search(r"\(万\)", text):
        return Decimal(10000)
    if "千元" in text:
        return Decimal(1000)
    return Decimal(1)


# ---------------------------------------------------------------- values

PLACEHOLDERS = {"/", "-", "--", "---", "—", "——", "\\", "无", "暂无", "空", "null", "none", "n/a", "na", "#n/a", ".", "…", "——/"}
NOTHING_FOUND = re.compile(r"^(无|没有|未发现|未查出|未见)(任何)?(安全)?(隐患|问题|异常)?[。.]?$|^(正常|无异常|一切正常)$")
TICKS = {"√", "✓", "✔", "v", "是", "1", "y", "yes", "有", "☑", "■", "●", "○", "x", "×", "✗", "✘", "否", "0", "n", "no", "□"}
UNTICKED = {"", "x", "×", "✗", "✘", "否", "0", "n", "no", "□", "无", "/", "-"}
_LEVEL_WORD = re.compile(r"^(一般|重大|较大)(事故)?(隐患)?(\(?[a-c一二三]级?\)?)?$")
_STATUS_WORD = re.compile(r"^(已|未|待|正在)?(整改|治理|完成|销号|闭环|验收|处理|办结)(中|完毕|完成|结束)?$|^(是|否|完成|逾期|逾期未整改)$")
_REGION_WORD = re.compile(r"(镇|乡|街道|办事处|村|社区|居委会|片区|网格|开发区|园区|新区|[\u4e00-\u9fff]{2}[区县市])$")
_SITE_WORD = re.compile(r"(厂区|库区|罐区|作业区|生活区|办公区|施工区|装置区|生产区|仓储区|储存区)$")
_ENTERPRISE_WORD = re.compile(r"(公司|厂|店|中心|合作社|商行|超市|酒店|饭店|宾馆|餐馆|工地|项目部|门市部|经营部|加工坊|站|场|院|馆|所|部)$")
_NUMBER = re.compile(r"^[-+]?\d+(\.\d+)?$")


def _text(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return "\n".join(line.strip() for line in value.replace("\r", "").split("\n") if line.strip()).strip()
    return cell_text(value)


def _is_placeholder(text):
    return len(text) <= 8 and unicodedata.normalize("NFKC", text).strip().lower() in PLACEHOLDERS


def _looks_like_date(value):
    if isinstance(value, (date, datetime)):
        return True
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return 20000 <= value <= 80000
    t = unicodedata.normalize("NFKC", str(value)).strip()
    return bool(re.search(r"\d{4}\s*[-/.年]\s*\d{1,2}|\d{1,2}月\d{1,2}[日号]|^\d{8}$", t))


def value_profile(values):
    """Fractions of a column's non-empty sample values that look like dates, levels, statuses …"""
    sample = [v for v in values if _text(v) and not _is_placeholder(_text(v))][:200]
    n = len(sample)
    if not n:
        return {"n": 0}
    texts = [unicodedata.normalize("NFKC", _text(v)).replace(" ", "") for v in sample]

    def share(pred):
        return sum(1 for x in pred) / n

    return {
        "n": n,
        "date": share(v for v in sample if _looks_like_date(v)),
        "level": share(t for t in texts if _LEVEL_WORD.match(t.lower())),
        "status": share(t for t in texts if _STATUS_WORD.match(t)),
        "number": share(t for t in texts if _NUMBER.match(t.replace(",", ""))),
        "tick": share(t for t in texts if t.lower() in TICKS),
        "region": share(t for t in texts if _REGION_WORD.search(t) and not _SITE_WORD.search(t) and len(t) <= 12),
        "enterprise": share(t for t in texts if _ENTERPRISE_WORD.search(t) and len(t) >= 4),
        "category": share(t for t in texts if t in OPTIONS["category"]),
        "avg_len": sum(len(t) for t in texts) / n,
    }


def _apply_values(column, profile):
    """Let the column's values move its header-based candidates."""
    c = column.candidates
    if not profile.get("n"):
        return
    n = profile["n"]
    if "level" in c and profile["level"] < 0.5 and not column.yes_no and profile["tick"] < 0.8:
        c["level"] -= 45
    if profile["level"] >= 0.8:  # a closed vocabulary: the values outweigh a header saying "类型"
        for f in list(c):
            if f not in ("level", "other"):
                c[f] -= 30
        c["level"] = max(c.get("level", 0), 96)
    if profile["category"] >= 0.8:
        c["category"] = max(c.get("category", 0), 94)
    for f in DATE_FIELDS:
        if f in c and n >= 2 and profile["date"] < 0.2 and profile["avg_len"] > 8:
            c[f] -= 40
    if profile["tick"] >= 0.8:  # 是/否, √: a flag is never a date or a text
        for f in (*DATE_FIELDS, "description", "measures", "responsible_person", "found_by", "verified_by"):
            if f in c:
                c[f] -= 40
    if "description" in c and n >= 2 and profile["avg_len"] < 3 and (profile["number"] > 0.8 or profile["date"] > 0.8):
        c["description"] -= 40
    _, core = normalise(column.labels[-1])
    if core in ("区域", "所在区域", "检查区域") and profile["region"] >= 0.6:
        c["region"] = max(c.get("region", 0), 93)
    if core in ("名称", "全称") and len(column.labels) == 1:
        if profile["enterprise"] >= 0.5:
            c["enterprise"] = max(c.get("enterprise", 0), 85)
        elif profile["avg_len"] >= 10:
            c["description"] = max(c.get("description", 0), 80)
    if _leaf_kind(core) == "status" and profile["status"] >= 0.6:
        c["status"] = c.get("status", 0) + 10
    if core in ("时间", "日期") and len(column.labels) == 1 and profile["date"] >= 0.6:
        c["found_date"] = max(c.get("found_date", 0), 60)


# ---------------------------------------------------------------- dates, levels, funds, status

_CN_NUM = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _cn_to_arabic(text):
    def convert(m):
        s = m.group(0)
        if "十" in s:
            tens, _, ones = s.partition("十")
            return str((_CN_NUM.get(tens, 1) if tens else 1) * 10 + (_CN_NUM.get(ones, 0) if ones else 0))
        return "".join(str(_CN_NUM[ch]) for ch in s)

    return re.sub(r"[〇零○Ｏ一二两三四五六七八九十]+", convert, text)


def _serial_date(number):
    if 20000 <= number <= 80000:
        return date(1899, 12, 30) + timedelta(days=int(number))
    return None


def _make_date(y, m, d):
    if y < 100:
        y += 2000
    if not (1990 <= y <= 2100):
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _month_day(y, m, part, end):
    if y < 100:
        y += 2000
    if not (1 <= m <= 12) or not (1990 <= y <= 2100):
        return None
    last = calendar.monthrange(y, m)[1]
    if part in ("底", "末", "下旬"):
        return date(y, m, last)
    if part == "上旬":
        return date(y, m, 10)
    if part in ("中旬", "中"):
        return date(y, m, 20)
    if part == "初":
        return date(y, m, 5 if end else 1)
    return date(y, m, last if end else 1)


_FULL_DATE = re.compile(r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
_SUFFIX = re.compile(r"(之前|以前|前|之内|以内|内|止|为止|截止|完成整改|整改完成|完成|整改)+$")
_IMMEDIATE = re.compile(r"^(立即|立刻|马上|即时|当场|当天|当日|即刻|现场|当即|立行立改|现场整改|立即整改)")


def parse_date(value, *, base=None, year=None, end=False):
    if isinstance(value, str):  # ledgers repeat their date strings: parse each one once
        return _parse_date_cached(value, base, year, end)
    return _parse_date(value, base=base, year=year, end=end)


@functools.lru_cache(maxsize=4096)
def _parse_date_cached(value, base, year, end):
    if len(value) == 10 and value[4] == "-" and value[7] == "-" and value[:4].isdigit():
        try:
            found = date.fromisoformat(value)
            return (found, None) if 1990 <= found.year <= 2100 else _parse_date(value, base=base, year=year, end=end)
        except ValueError:
            pass
    return _parse_date(value, base=base, year=year, end=end)


def _parse_date(value, *, base=None, year=None, end=False):
    """(date or None, Chinese error or None). `base` is the row's found date for relative deadlines,
    `year` the ledger's year (from its title) when neither the value nor `base` gives one; `end`
    picks the end of a month or range (for deadlines)."""
    if value is None or value == "":
        return None, None
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    raw = _text(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        found = _serial_date(float(value))
        return (found, None) if found else (None, f"无法识别的日期“{raw}”。")
    if not raw or _is_placeholder(raw):
        return None, None
    t = _cn_to_arabic(unicodedata.normalize("NFKC", raw)).strip()
    if re.fullmatch(r"\d+(\.0+)?", t):
        digits = t.split(".")[0]
        if len(digits) == 8:
            found = _make_date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        else:
            found = _serial_date(int(digits))
        return (found, None) if found else (None, f"无法识别的日期“{raw}”。")
    dates = _FULL_DATE.findall(t)
    if len(dates) >= 2:  # "2024-05-01-2024-05-20", "2024.5.1—2024.5.20"
        y, m, d = dates[-1] if end else dates[0]
        found = _make_date(int(y), int(m), int(d))
        return (found, None) if found else (None, f"日期“{raw}”不存在。")
    t = re.sub(r"^(\d{4}[./年]\d{1,2}[./月]\d{1,2}日?)\s*-\s*(\d{1,2}[./月]\d{1,2}日?)$", r"\1至\2", t)  # 2024.5.1-5.20
    parts = [p for p in re.split(r"\s*(?:至|到|~|〜|—+|–|－|\s-\s)\s*", t) if p.strip()]
    if len(parts) > 1:
        first, last = parts[0], parts[-1]
        head = _parse_date_text(first, base, year, False)
        if end:
            # "2024.5.1-5.10": the end inherits the start's year
            tail = _parse_date_text(last, base, head[0].year if head[0] else year, True)
            return tail if tail[0] else (head if head[0] else tail)
        return head
    return _parse_date_text(t, base, year, end)


def _parse_date_text(t, base, year, end):
    raw = t
    t = re.sub(r"\s+", " ", t).strip()
    m = re.search(r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)", t)
    if m:
        found = _make_date(int(m[1]), int(m[2]), int(m[3]))
        return (found, None) if found else (None, f"日期“{raw}”不存在。")
    m = re.search(r"(?<!\d)(\d{1,2})/(\d{1,2})/(\d{4})(?!\d)", t)  # 5/1/2024 from an English-locale CSV
    if m:
        found = _make_date(int(m[3]), int(m[1]), int(m[2]))
        return (found, None) if found else (None, f"日期“{raw}”不存在。")
    m = re.search(r"(?<!\d)(\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)", t)
    if m:
        found = _make_date(int(m[1]), int(m[2]), int(m[3]))
        return (found, None) if found else (None, f"日期“{raw}”不存在。")
    m = re.search(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)", t)
    if m and _make_date(int(m[1]), int(m[2]), int(m[3])):
        return _make_date(int(m[1]), int(m[2]), int(m[3])), None
    m = re.search(r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(底|末|上旬|中旬|下旬|初|中)?(?!\d)", t)
    if m:
        found = _month_day(int(m[1]), int(m[2]), m[3], end)
        return (found, None) if found else (None, f"日期“{raw}”不存在。")
    ref_year = base.year if base else year
    m = re.search(r"(?<!\d)(\d{1,2})\s*[月.]\s*(\d{1,2})\s*[日号]", t) or re.fullmatch(r"(\d{1,2})[.](\d{1,2})", t.strip())
    if m:
        if not ref_year:
            return None, f"日期“{raw}”缺少年份，本行也没有可参照的发现日期。"
        found = _make_date(ref_year, int(m[1]), int(m[2]))
        if found and base and found < base and end:
            found = _make_date(ref_year + 1, int(m[1]), int(m[2]))  # "1月10日前" found in December
        return (found, None) if found else (None, f"日期“{raw}”不存在。")
    m = re.search(r"(?<!\d)(\d{1,2})\s*月(份)?(底|末|上旬|中旬|下旬|初|中)?", t)
    if m:
        if not ref_year:
            return None, f"日期“{raw}”缺少年份，本行也没有可参照的发现日期。"
        found = _month_day(ref_year, int(m[1]), m[3], end)
        if found and base and found < base and end:
            found = _month_day(ref_year + 1, int(m[1]), m[3], end)
        return (found, None) if found else (None, f"日期“{raw}”不存在。")
    if re.search(r"年底|年末|年内|本年度|今年", t):
        if not ref_year:
            return None, f"“{raw}”缺少年份，本行也没有可参照的发现日期。"
        return date(ref_year, 12, 31), None
    stripped = _SUFFIX.sub("", t.replace(" ", ""))
    m = re.fullmatch(r"(?:限期|限|在|于)?(\d{1,3})(个)?(天|日|工作日|周|星期|个月|月)", stripped)
    if m or _IMMEDIATE.match(t):
        if not base:
            return None, f"“{raw}”是相对期限，但本行没有发现日期，无法换算成日期。"
        if not m:
            return base, None
        n, unit = int(m[1]), m[3]
        if unit in ("周", "星期"):
            return base + timedelta(weeks=n), None
        if unit in ("个月", "月"):
            month = base.month - 1 + n
            y, mo = base.year + month // 12, month % 12 + 1
            return date(y, mo, min(base.day, calendar.monthrange(y, mo)[1])), None
        return base + timedelta(days=n if unit != "工作日" else n + (n // 5) * 2), None
    if re.search(r"长期|持续|常态|定期|随时", t):
        return None, f"“{raw}”不是具体日期：请填写完成日期（如 2024-06-30）。"
    return None, f"无法识别的日期“{raw}”：请填写如 2024-05-01 或 2024年5月1日。"


def parse_level(value, *, yes_no=False):
    """("一般"|"重大"|None, error or None)."""
    raw = _text(value)
    if not raw or _is_placeholder(raw):
        return None, None
    t = unicodedata.normalize("NFKC", raw).replace(" ", "").lower()
    if yes_no and t in ("是", "√", "✓", "y", "yes", "1", "重大"):
        return "重大", None
    if yes_no and t in ("否", "×", "x", "n", "no", "0", "一般"):
        return "一般", None
    t = t.replace("事故", "")
    if t.startswith("一般"):
        return "一般", None
    if t.startswith("重大"):
        return "重大", None
    if t.startswith("较大"):
        return None, f"隐患等级“{raw}”不在分级之内：事故隐患只分“一般”和“重大”，请改为其中之一。"
    return None, f"隐患等级“{raw}”无法识别：应为“一般”或“重大”（也可写“一般隐患”“重大隐患”）。"


_AMOUNT = re.compile(r"^(?:约|共|合计|计|人民币|rmb|¥|￥)*([-+]?\d+(?:\.\d+)?)(万元|万|千元|千|元|w|k)?(?:人民币)?(?:左右)?$")


def parse_funds(value, *, factor=Decimal(1)):
    """(Decimal yuan or None, error or None)."""
    if isinstance(value, bool):
        return None, None
    if isinstance(value, (int, float)):
        return (Decimal(str(value)) * factor).quantize(Decimal("0.01")), None
    raw = _text(value)
    if not raw or _is_placeholder(raw):
        return None, None
    t = _cn_to_arabic(unicodedata.normalize("NFKC", raw)).replace(",", "").replace(" ", "").lower()
    m = _AMOUNT.match(t)
    if not m and (t in TICKS or t in ("有", "已落实", "未落实", "落实")):
        return None, None  # a yes/no "经费落实" flag, not an amount
    if not m:
        return None, f"整改资金“{raw}”不是有效金额：请填写数字，如 5000、5000元 或 2万元。"
    try:
        amount = Decimal(m[1])
    except InvalidOperation:
        return None, f"整改资金“{raw}”不是有效金额。"
    unit = m[2]
    if unit in ("万元", "万", "w"):
        amount *= 10000
    elif unit in ("千元", "千", "k"):
        amount *= 1000
    elif unit is None:
        amount *= factor
    if amount < 0:
        return None, f"整改资金“{raw}”不能为负数。"
    return amount.quantize(Decimal("0.01")), None


_STATUS_CANON = [
    ("已销号", re.compile(r"已?销号|已?闭环|已验收|验收(通过|合格)|复查(通过|合格)|^合格$|^通过$")),
    ("未整改", re.compile(r"^(未|没有|尚未|待)(整改|治理|完成|处理|落实)|^否$|^未$|逾期")),
    ("整改中", re.compile(r"整改中|治理中|正在|进行中|处理中|部分整改")),
    ("已整改", re.compile(r"^已?(整改|治理|完成|处理|办结)(完毕|完成|结束)?$|^是$|^完成$|整改完成|已整改|已完成|已治理|已处理|已办结|^[√✓✔]$")),
]


def normalise_status(value):
    t = unicodedata.normalize("NFKC", _text(value)).replace(" ", "")
    if not t or _is_placeholder(t):
        return None
    for canon, rx in _STATUS_CANON:
        if rx.search(t):
            return canon
    return _text(value)


# ---------------------------------------------------------------- finding the header

def _cell_texts(sheet):
    return [[_text(v) for v in row] for row in sheet.rows]


def _merge_maps(sheet):
    """origin[(r, c)] = top-left (r0, c0) of the merged range covering (r, c), for covered cells only."""
    origin = {}
    for r0, c0, r1, c1 in sheet.merged:
        if (r1 - r0 + 1) * (c1 - c0 + 1) > 200000:
            continue
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    origin[(r, c)] = (r0, c0)
    return origin


def _header_like(text):
    if not text:
        return False
    full, core = normalise(text)
    if not core or len(core) > 30:
        return False
    if _looks_like_date(text) or _NUMBER.match(full):
        return False
    if re.search(r"[:：]\s*\S", text) or "。" in text:
        return False
    return True


_TITLE = re.compile(r"台账|统计表|登记表|一览表|清单|汇总表|明细表|情况表|记录表|排查表$")


def _row_score(texts):
    """How much a row looks like a header row: recognised names count, data-like cells count against."""
    seen, score, hits = set(), 0.0, 0
    for t in texts:
        if not t or t in seen:
            continue
        seen.add(t)
        if not _header_like(t):
            score -= 0.5 if len(t) > 30 or _looks_like_date(t) else 0.2
            continue
        best = max(header_candidates(t).values(), default=0)
        _, core = normalise(t)
        if best >= 85:
            score, hits = score + 1.0, hits + 1
        elif best > 0:
            score, hits = score + 0.6, hits + 1
        elif any(core in opts for opts in OPTIONS.values()):
            score += 0.3
        if _TITLE.search(core) and len(seen) == 1:
            score -= 1
    return score if hits >= 2 else min(score, 0.5)


def _find_header(sheet, texts, origin):
    """(first header row, last header row, score) or None."""
    filled = [list(r) for r in texts[:HEADER_SCAN_ROWS + 3]]
    for (r, c), (r0, c0) in origin.items():
        if r < len(filled) and r0 < len(filled):
            filled[r][c] = texts[r0][c0]
    best = None
    for r, row in enumerate(filled[:HEADER_SCAN_ROWS]):
        distinct = [t for i, t in enumerate(row) if t and (r, i) not in origin]
        if len(distinct) < 2:
            continue
        score = _row_score(row)
        if best is None or score > best[1]:
            best = (r, score)
    if best is None or best[1] < 1.5:
        return None
    top = bottom = best[0]
    for _ in range(2):
        if bottom + 1 < len(filled) and _is_child_row(texts, origin, bottom, bottom + 1):
            bottom += 1
        elif top > 0 and _is_child_row(texts, origin, top - 1, top):
            top -= 1
    return top, bottom, best[1]


def _is_child_row(texts, origin, upper, lower):
    """Is row `lower` the sub-header of row `upper` (or `upper` the group row above `lower`)?"""
    up, low = texts[upper], texts[lower]
    width = len(up)
    up_cells = [c for c in range(width) if up[c]]
    low_cells = [c for c in range(width) if low[c] and (lower, c) not in origin]
    if not up_cells or not low_cells:
        return False
    if any(not _header_like(low[c]) for c in low_cells) or any(not _header_like(up[c]) for c in up_cells):
        return False
    if len(up_cells) == 1:  # one cell alone above: a title unless it is a short group label
        core = normalise(up[up_cells[0]])[1]
        if _TITLE.search(core) or len(core) > 8 or re.match(r"\d{4}", core):
            return False
    # merged cells joining the two rows: a vertical merge from upper into lower, or a horizontal
    # merge in upper (a group label) with names under it
    vertical = any(origin.get((lower, c)) == (upper, c) for c in range(width))
    spans = [(c0, c1) for (r0, c0, r1, c1) in _ranges_in_row(origin, upper) if c1 > c0]
    table_width = max(up_cells + low_cells) - min(up_cells + low_cells) + 1
    group = any(c1 - c0 + 1 < table_width and any(c0 <= c <= c1 for c in low_cells) for c0, c1 in spans)
    if vertical or group:
        return True
    if any(r in (upper, lower) for (r, c) in origin):
        return False
    # no merges here (CSV, "centre across selection", merges undone): upper has blanks exactly where
    # lower has names, and most of lower's cells are names we know
    lower_known = sum(1 for c in low_cells if header_candidates(low[c]) or any(normalise(low[c])[1] in o for o in OPTIONS.values()))
    under_blank = [c for c in low_cells if not up[c]]
    known = lambda t: header_candidates(t) or _parent_kind(normalise(t)[1]) or re.search(r"情况|信息|基本|项目", t)  # noqa: E731
    if not all(known(up[c]) for c in up_cells):  # "检查人员 | 甲、乙": a form line above the table, not group labels
        return False
    if not under_blank or len(low_cells) < 2 or not any(c < under_blank[-1] for c in up_cells):
        return False
    # a group label spread over blanks: "整改责任单位 | | |" above "建设 | 设计 | 施工 | 监理"
    spread = any(c + 1 < width and not up[c + 1] and low[c] and low[c + 1] for c in up_cells)
    return spread or lower_known >= max(1, len(low_cells) // 2)


def _ranges_in_row(origin, row):
    out = {}
    for (r, c), (r0, c0) in origin.items():
        if r0 == row:
            rr = out.setdefault((r0, c0), [r0, c0, r0, c0])
            rr[2], rr[3] = max(rr[2], r), max(rr[3], c)
    return [tuple(v) for v in out.values()]


def _raw_header(value):
    """A header cell as written (only the ends trimmed): the key the mapping reports."""
    return value.strip() if isinstance(value, str) else _text(value)


def _header_columns(sheet, texts, origin, top, bottom):
    width = max(len(r) for r in texts)
    raw = sheet.rows
    grid = []
    for r in range(top, bottom + 1):
        row = []
        for c in range(width):
            o = origin.get((r, c))
            row.append(_raw_header(raw[o[0]][o[1]]) if o and o[0] >= top else (_raw_header(raw[r][c]) if c < len(raw[r]) else ""))
        grid.append(row)
    header_merged = any(top <= r <= bottom for (r, c) in origin)
    if not header_merged and bottom > top:  # CSV two-row header: spread a group label over the blanks to its right
        for i in range(len(grid) - 1):
            for c in range(1, width):
                if not grid[i][c] and grid[i][c - 1] and grid[i + 1][c] and grid[i + 1][c - 1] and not texts[top + i][c]:
                    grid[i][c] = grid[i][c - 1]
    columns = []
    for c in range(width):
        labels = []
        for i in range(len(grid)):
            t = grid[i][c]
            if t and (not labels or labels[-1] != t):
                labels.append(t)
        if not labels:
            continue
        same_as_left = c > 0 and all(
            (origin.get((top + i, c)) or (top + i, c)) == (origin.get((top + i, c - 1)) or (top + i, c - 1)) for i in range(len(grid)))
        if same_as_left:
            continue
        key = "/".join(labels)
        if len(labels) == 1:
            labels = _split_literal(labels[0]) or labels
        columns.append(LedgerColumn(index=c, key=key, labels=labels))
    seen = {}
    for col in columns:
        n = seen[col.key] = seen.get(col.key, 0) + 1
        if n > 1:
            col.key = f"{col.key}（{n}）"
    return columns


def _split_literal(text):
    """["录入方式", "自报"] for a one-cell "录入方式/自报" that reads as parent/child; None for a
    name whose "/" means "or" ("隐患所在区域/部门", "一般/重大")."""
    depth, cut = 0, None
    for i, ch in enumerate(text):
        depth += ch in "（(【[" and 1 or 0
        depth -= ch in "）)】]" and 1 or 0
        if ch in "/／" and depth == 0:
            if cut is not None:
                return None
            cut = i
    if cut is None:
        return None
    parent, child = text[:cut].strip(), text[cut + 1:].strip()
    if not parent or not child:
        return None
    whole = header_candidates(text)
    split = column_candidates([parent, child])

    def best(c):
        return max((v for f, v in c.items() if f != "other"), default=0)

    option = any(normalise(child)[1] in o for o in OPTIONS.values()) and header_candidates(parent)
    return [parent, child] if option or best(split) > best(whole) else None


# ---------------------------------------------------------------- mapping

def _find_groups(columns):
    """Tick columns: adjacent siblings (same parent, or none) whose own names are options of one field,
    e.g. "治理状态" over "未治理|已治理", "隐患等级" over "一般|重大", or top-level "已整改|未整改"."""
    groups = []
    i = 0
    while i < len(columns):
        parents = tuple(columns[i].labels[:-1])
        j = i
        while j + 1 < len(columns) and tuple(columns[j + 1].labels[:-1]) == parents and columns[j + 1].index == columns[j].index + 1:
            j += 1
        run = columns[i:j + 1]
        i = j + 1
        k = 0
        while k < len(run):
            leaf = normalise(run[k].labels[-1])[1]
            kinds = [f for f, options in OPTIONS.items() if leaf in options]
            best = None
            for f in kinds:
                end = k
                while end + 1 < len(run) and normalise(run[end + 1].labels[-1])[1] in OPTIONS[f]:
                    end += 1
                if end > k and (best is None or end > best[1]):
                    best = (f, end)
            if not best:
                k += 1
                continue
            f, end = best
            leaves = {normalise(c.labels[-1])[1] for c in run[k:end + 1]}
            if parents or not leaves <= {"是", "否"}:
                groups.append((f, run[k:end + 1]))
            k = end + 1
    return groups


def map_columns(columns, profiles):
    """Give every column a field: candidates from its header, moved by its values, then greedy, one column per field."""
    grouped = set()
    for f, run in _find_groups(columns):
        head = run[0]
        head.candidates = {f: 94}
        head.group = [(c.index, c.labels[-1]) for c in run]
        for c in run[1:]:
            c.candidates = {"other": 94}
        grouped.update(c.index for c in run)
    for col in columns:
        if col.index in grouped:
            continue
        col.candidates = column_candidates(col.labels)
        _, core = normalise(col.labels[-1])
        col.yes_no = "level" in col.candidates and core.startswith("是否")
        _apply_values(col, profiles.get(col.index, {"n": 0}))
        prof = profiles.get(col.index, {"n": 0})
        if not col.candidates and prof.get("n", 0) >= 2 and prof["level"] >= 0.8:
            col.candidates["level"] = 80
    offers = []
    for col in columns:
        other = col.candidates.get("other", 0)
        for f, score in col.candidates.items():
            if f != "other" and score > other and score > 0:
                offers.append((-score, col.index, f, col))
    offers.sort(key=lambda o: (o[0], o[1]))
    taken = set()
    for neg, _, f, col in offers:
        if f in taken or col.field:
            continue
        col.field, col.score = f, -neg
        taken.add(f)
    if "description" not in taken:  # unrecognised header, but long free text: the description
        spare = [c for c in columns if not c.field and not c.candidates and profiles.get(c.index, {}).get("avg_len", 0) >= 8]
        if spare:
            best = max(spare, key=lambda c: profiles[c.index]["avg_len"])
            best.field, best.score = "description", 30
    for col in columns:
        if not col.field and col.candidates:
            col.field = "other"
        if col.field == "funds":
            col.factor = _funds_factor(col.labels)
        if col.field == "deadline":
            col.days = bool(re.search(r"[（(][^（）()]*(天|日)[^（）()]*[）)]", "".join(col.labels)))
    return columns


# ---------------------------------------------------------------- rows

_FOOTER_START = re.compile(
    r"^(注|注意|说明|备注|附注|填表说明|填报说明|附件|附)\s*[0-9一二三四五六七八九十]*\s*[:：]|"
    r"^(填表人|填报人|制表人|制表|填表|统计人|统计|审核人|审核|审批人|审批|核对人|复核人|负责人|单位负责人|主要负责人|分管领导|分管负责人|部门负责人|"
    r"安全负责人|联系人|联系电话|填报日期|制表日期|填表日期|报送日期|日期|签字|签名|盖章|单位盖章|单位\(盖章\)|填报单位)\s*[:：(（]")
_FOOTER_WORDS = ("填表人", "审核人", "制表人", "填报人", "负责人：", "负责人:", "联系电话", "填报日期", "签字", "盖章")
_SECTION = re.compile(r"^[一二三四五六七八九十]+[、.．]|^[（(][一二三四五六七八九十\d]+[)）]|^第.{1,4}[部分章节类]")
_SIGN = re.compile(r"签字|签名|盖章|签章|^[\u4e00-\u9fff（）()]{2,14}[:：]$")
_TOTAL = re.compile(r"^(合计|总计|小计|共计|累计)")
_HINT = re.compile(r"^[（(]?(填写|请填写|如[:：]|例[:：]|示例|格式|选择|可选|必填|选填|下拉)|^[（(][^（）()]{1,12}[)）]$")


def _is_numbering_row(values):
    nums = []
    for t in values:
        if not t:
            continue
        n = unicodedata.normalize("NFKC", t).strip("()（） .、")
        if not n.isdigit():
            return False
        nums.append(int(n))
    return len(nums) >= 3 and nums == sorted(nums) and len(set(nums)) == len(nums) and nums[0] <= 2


_META_FIELDS = ("enterprise", "region", "industry", "address", "found_date", "found_by")
_NOT_THE_SUBJECT = re.compile(r"填报|填表|制表|报送|统计|审核|编制|打印|导出")


def _extract_meta(texts, top):
    """What the rows above the header say: the title, "key：value" pairs (or a label cell followed by
    its value cell), the ledger's year, and `defaults` — fields of every row stated once up there
    ("企业名称：XX公司", "检查日期 | 2024-05-06"), used where the table has no such column."""
    meta, pairs = {}, []
    for r in range(top):
        cells = [t for t in texts[r] if t]
        line = " ".join(cells)
        if not line:
            continue
        if "title" not in meta and _TITLE.search(normalise(line)[1]):
            meta["title"] = line
        pairs += re.findall(r"([\u4e00-\u9fff（）()]{2,10})\s*[:：]\s*([^\s:：]+(?:\s[^\s:：]+)*?)"
                            r"(?=\s+[\u4e00-\u9fff（）()]{2,10}\s*[:：]|$)", line)
        for label, value in zip(cells, cells[1:]):
            if ":" not in label and "：" not in label and _header_like(label) and not header_candidates(value):
                pairs.append((label, value))
    defaults = {}
    for key, value in pairs:
        key, value = key.strip(), value.strip()
        if not value or re.fullmatch(r"[\s_（）()年月日]*", value):
            continue
        meta.setdefault(key, value)
        candidates = header_candidates(key)
        best = max(candidates, key=candidates.get) if candidates else None
        if best in _META_FIELDS and candidates[best] >= 85 and not _NOT_THE_SUBJECT.search(key) and best not in defaults:
            defaults[best] = value
    year = None
    for key, value in meta.items():
        if "日期" in key or "时间" in key:
            d, _ = parse_date(value)
            if d:
                year = d.year
    if year is None:
        m = re.search(r"(20\d{2}|19\d{2})\s*年", meta.get("title", "") or " ".join(" ".join(texts[r]) for r in range(top)))
        year = int(m[1]) if m else None
    if year:
        meta["year"] = year
    if defaults:
        meta["defaults"] = defaults
    return meta


def _sheet_parse(sheet):
    texts = _cell_texts(sheet)
    origin = _merge_maps(sheet)
    found = _find_header(sheet, texts, origin)
    if not found:
        return None
    top, bottom, score = found
    columns = _header_columns(sheet, texts, origin, top, bottom)
    return {"sheet": sheet, "texts": texts, "origin": origin, "top": top, "bottom": bottom, "score": score, "columns": columns}


def parse_ledger(source, filename="", *, overrides=None, max_rows=None):
    """Read a hazard ledger (xlsx/xls/csv …) and return a LedgerParse; a file that cannot be a ledger
    at all raises ApplicationError. `overrides` ({original header: field or None}) corrects the
    automatic mapping after the user has looked at it."""
    from django.conf import settings

    max_rows = max_rows or settings.IMPORT_MAX_ROWS
    sheets = read_sheets(source, filename=filename, max_rows=max_rows)
    parsed = [p for p in (_sheet_parse(s) for s in sheets[:30]) if p]
    if not parsed:
        raise ApplicationError("未找到台账表头：表格前 60 行中没有可识别的列名（如“序号、隐患内容、整改措施、整改期限”）。"
                               "请确认文件是隐患台账，表头为一行或两行列名。")
    best = max(parsed, key=lambda p: (p["score"] + (2 if any(
        "description" in header_candidates(c.labels[-1]) for c in p["columns"]) else 0), -parsed.index(p)))
    return _read_rows(best, overrides=overrides, max_rows=max_rows)


def _read_rows(p, *, overrides, max_rows):
    sheet, texts, origin, top, bottom, columns = p["sheet"], p["texts"], p["origin"], p["top"], p["bottom"], p["columns"]
    raw = sheet.rows
    first_col = min(c.index for c in columns)
    last_col = max(c.index for c in columns)
    body_start = bottom + 1

    # merged body cells: carry the top-left value into every row of the range (first column only)
    carried = {}
    for r0, c0, r1, c1 in sheet.merged:
        if r0 >= body_start and r1 > r0:
            for r in range(r0 + 1, r1 + 1):
                carried[(r, c0)] = (r0, c0)

    def value(r, c):
        if (r, c) in carried:
            o = carried[(r, c)]
            return raw[o[0]][o[1]]
        return raw[r][c] if c < len(raw[r]) else ""

    def text_at(r, c):
        if (r, c) in carried:
            o = carried[(r, c)]
            return texts[o[0]][o[1]]
        return texts[r][c] if c < len(texts[r]) else ""

    sample = []  # rows to learn the columns' values from: not the numbering row, hints or notes
    for r in range(body_start, min(len(raw), body_start + 300)):
        cells = [t for t in texts[r][first_col:last_col + 1] if t]
        if not cells or _FOOTER_START.match(cells[0]) or (r - body_start < 3 and (
                _is_numbering_row(texts[r][first_col:last_col + 1]) or all(_HINT.match(t) for t in cells))):
            continue
        sample.append(r)
    profiles = {col.index: value_profile(value(r, col.index) for r in sample) for col in columns}
    map_columns(columns, profiles)
    if overrides:
        _apply_overrides(columns, overrides)
    by_field = {c.field: c for c in columns if c.field and c.field != "other"}
    by_index = {c.index: c for c in columns}
    seq_col = by_field.get("seq")
    desc_col = by_field.get("description")
    header_leaves = {normalise(c.labels[-1])[1] for c in columns}
    header_raw = {c.labels[-1] for c in columns}
    meta = _extract_meta(texts, top)
    defaults = {f: v for f, v in meta.get("defaults", {}).items() if f not in by_field}
    if "found_date" in defaults:
        defaults["found_date"] = parse_date(defaults["found_date"])[0]
    errors, rows = [], []
    if desc_col is None:
        errors.append({"row": None, "column": None, "message": "未识别出“隐患描述”列：请确认表头中有“隐患内容”“隐患描述”“存在问题”等列名。"})

    def err(row, col, message):
        errors.append({"row": row + 1, "column": col.key if col else None, "message": message, "_at": col.index if col else -1})

    data_seen = 0
    for r in range(body_start, len(raw)):
        own = [(c, texts[r][c]) for c in range(first_col, min(last_col + 1, len(texts[r])))
               if texts[r][c] and (r, c) not in origin and not _is_placeholder(texts[r][c])]
        content = [(c, t) for c, t in own if not (seq_col and c == seq_col.index)]
        if not content:
            continue
        values = [t for _, t in own]
        first_text = values[0]
        if data_seen == 0 and r - body_start < 3 and (_is_numbering_row([texts[r][c] for c in range(first_col, last_col + 1)])
                                                       or all(_HINT.match(t) for t in values)):
            for c, t in own:  # a unit row under the header: "（万元）" under 整改资金
                col = by_index.get(c)
                if col is not None and col.field == "funds" and _funds_factor([t]) != 1:
                    col.factor = _funds_factor([t])
            continue
        desc_text = text_at(r, desc_col.index) if desc_col else ""
        if _FOOTER_START.match(first_text) and (len(set(values)) <= 4 or not desc_text):
            continue
        if sum(1 for w in _FOOTER_WORDS if w in " ".join(values)) >= 2 and len(set(values)) <= 4:
            continue
        if any(_SIGN.search(t) for t in values) and len(set(values)) <= 4 and (not desc_text or _SIGN.search(desc_text)):
            continue  # "被检查单位负责人（签字）：" — the signature line under a record
        if any("计" in t and _TOTAL.match(normalise(t)[1]) for _, t in own[:3]) and (not desc_text or _TOTAL.match(normalise(desc_text)[1])):
            continue
        if (len(values) >= 2 and any(t in header_raw for t in values)
                and sum(1 for t in values if normalise(t)[1] in header_leaves) >= max(2, len(values) // 2)):
            continue  # the header repeated (a printed ledger pasted together)
        if len(set(values)) == 1 and not (desc_col and any(c == desc_col.index for c, _ in own) and not _SECTION.match(first_text)):
            c0 = own[0][0]
            wide = any(r0 == r and c0 == cc0 and c1 > cc0 for r0, cc0, _, c1 in sheet.merged)
            if wide or _SECTION.match(first_text) or c0 == first_col or (seq_col and c0 == seq_col.index) or not desc_col:
                continue  # a section row: "一、生产车间", or a title merged across the table
        if desc_col and NOTHING_FOUND.match(unicodedata.normalize("NFKC", desc_text).replace(" ", "")):
            continue
        data_seen += 1
        if data_seen > max_rows:
            raise ApplicationError(f"数据行过多：超过单次导入上限 {max_rows} 行。")
        rows.append(_read_row(r, columns, value, text_at, meta, err, desc_col, defaults))
    errors.sort(key=lambda e: (e["row"] or 0, e.pop("_at", -1)))  # by row, then left to right
    if len(errors) > MAX_ERRORS:
        extra = len(errors) - MAX_ERRORS
        errors = errors[:MAX_ERRORS] + [{"row": None, "column": None, "message": f"另有 {extra} 处错误未列出。"}]
    mapping = {c.key: c.field for c in columns}
    return LedgerParse(mapping=mapping, header_rows=list(range(top + 1, bottom + 2)), rows=rows, errors=errors,
                       columns=columns, sheet=sheet.name, meta=meta)


def _read_row(r, columns, value, text_at, meta, err, desc_col, defaults):
    row = {"_row": r + 1, **{f: v for f, v in defaults.items() if v}}
    extra = {}
    by_field = {}
    in_groups = {idx for col in columns for idx, _ in col.group[1:]}
    for col in columns:
        if col.index in in_groups:
            continue
        if col.group:
            ticked = [label for idx, label in col.group if text_at(r, idx).lower() not in UNTICKED]
            by_field[col.field] = (col, ticked[0] if ticked else "", ticked[0] if ticked else "")
        elif col.field and col.field != "other":
            by_field[col.field] = (col, value(r, col.index), text_at(r, col.index))
        else:
            t = text_at(r, col.index)
            if t:
                extra[col.key] = t
    base = row.get("found_date")
    for f in ("found_date", "deadline", "rectified_date", "closed_date"):
        if f not in by_field:
            continue
        col, v, t = by_field[f]
        if col.days and re.fullmatch(r"\d{1,3}(\.0+)?", t):
            v = f"{int(float(t))}天"
        d, problem = parse_date(v, base=base, year=meta.get("year"), end=(f == "deadline"))
        if problem:
            err(r, col, problem)
        row[f] = d
        if f == "found_date":
            base = d
    for f, (col, v, t) in by_field.items():
        if f in DATE_FIELDS:
            continue
        if f == "level":
            level, problem = parse_level(v, yes_no=col.yes_no)
            if problem:
                err(r, col, problem)
            row[f] = level
        elif f == "funds":
            amount, problem = parse_funds(v, factor=col.factor)
            if problem:
                err(r, col, problem)
            row[f] = amount
        elif f == "status":
            row[f] = normalise_status(t)
        else:
            row[f] = None if not t or (_is_placeholder(t) and f != "description") else t
    if desc_col is not None:
        d = row.get("description") or ""
        if not d or _is_placeholder(d):
            err(r, desc_col, "隐患描述为空。")
            row["description"] = None
    if extra:
        row["_extra"] = extra
    return row


def _apply_overrides(columns, overrides):
    by_key = {c.key: c for c in columns}
    for key, f in overrides.items():
        if key not in by_key:
            raise ApplicationError(f"表头“{key}”不在文件中。")
        if f not in FIELDS and f is not None:
            raise ApplicationError(f"“{f}”不是可导入的字段。")
        by_key[key].field = f
        by_key[key].group = by_key[key].group if f else []
    used = [c.field for c in columns if c.field and c.field != "other"]
    duplicates = {f for f in used if used.count(f) > 1}
    if duplicates:
        names = "、".join(FIELD_LABELS[f] for f in sorted(duplicates))
        raise ApplicationError(f"同一字段只能对应一列：{names} 被指定给了多列。")
