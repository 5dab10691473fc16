"""The words of a ledger header: our fields, the synonym table and the keyword rules that turn one
header text into candidate fields with scores (`header_candidates`), and the closed option lists
(level, status, channel, category) that tick columns and values are recognised by."""

import functools
import re

from zhiben.core.cntext import halfwidth, to_simplified

FIELDS = (
    "seq",
    "enterprise",
    "address",
    "region",
    "industry",
    "description",
    "level",
    "category",
    "found_date",
    "found_by",
    "source_channel",
    "measures",
    "responsible_person",
    "deadline",
    "funds",
    "status",
    "rectified_date",
    "verified_by",
    "closed_date",
    "remarks",
    "other",
)
FIELD_LABELS = {
    "seq": "序号",
    "enterprise": "单位/场所名称",
    "address": "隐患部位/地址",
    "region": "所属区域（镇街/村社区）",
    "industry": "行业领域",
    "description": "隐患描述",
    "level": "隐患等级",
    "category": "隐患类别",
    "found_date": "发现日期",
    "found_by": "发现人",
    "source_channel": "发现渠道",
    "measures": "整改措施",
    "responsible_person": "整改责任人",
    "deadline": "整改期限",
    "funds": "整改资金",
    "status": "整改状态",
    "rectified_date": "整改完成日期",
    "verified_by": "验收人",
    "closed_date": "销号日期",
    "remarks": "备注",
    "other": "其他（保留，不导入）",
}
DATE_FIELDS = ("found_date", "deadline", "rectified_date", "closed_date")

_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕|<[^<>]*>|《[^《》]*》|\{[^{}]*\}")
_NON_WORD = re.compile(r"[\W_]+")
_LEADING_NUMBER = re.compile(r"^\s*(?:[一二三四五六七八九十]+|\d{1,2})\s*[、.．)]\s*(?=\D)")


# Regional words read as the mainland ones before matching: Taiwan "缺失/缺陷" (deficiency) is 隐患 where
# it names the record's subject, "改善" is 整改.
_REGIONAL = [
    (
        re.compile(
            r"^(缺失|缺陷)(?=说明|描述|内容|日期|时间|处置|处理|照片|图片|代码|编号|等级|类别|类型|地点|位置|部位|责任)"
        ),
        "隐患",
    ),
    (re.compile(r"改善(?=完成|期限|时限|措施|情况|结果|日期|时间)"), "整改"),
]


_LEGEND = re.compile(r"(?<=\S)(?:\s*\d+\s*[:：=.、-]?\s*[\u4e00-\u9fffa-z]+){2,}\s*$")


def normalise(text):
    """(full, core) forms of a header: Traditional characters as Simplified, punctuation and whitespace
    removed; core also drops (…) parts."""
    t = to_simplified(halfwidth(text)).lower()
    # a legend of coded values after the name: "状态 1未处理 2正在处理 3已完成" is "状态"
    t = _LEGEND.sub("", t) or t
    for rx, word in _REGIONAL:
        t = rx.sub(word, t)
    t = _LEADING_NUMBER.sub("", t)
    full = _NON_WORD.sub("", t)
    stripped = t
    for _ in range(3):
        stripped = _BRACKETS.sub("", stripped)
    core = _NON_WORD.sub("", stripped)
    return full, core or full


SYNONYMS = {
    # seq
    "序号": "seq",
    "序": "seq",
    "编号": "seq",
    "no": "seq",
    "隐患编号": "seq",
    "顺序号": "seq",
    # enterprise
    "单位名称": "enterprise",
    "企业名称": "enterprise",
    "生产经营单位": "enterprise",
    "生产经营单位名称": "enterprise",
    "被检查单位": "enterprise",
    "检查企业名称": "enterprise",
    "隐患原单位": "enterprise",
    "场所名称": "enterprise",
    "企业单位名称": "enterprise",
    "单位": "enterprise",
    "企业": "enterprise",
    "受检单位": "enterprise",
    # address
    "隐患部位": "address",
    "地点": "address",
    "位置": "address",
    "具体位置": "address",
    "隐患地址": "address",
    "地址": "address",
    "检查工点": "address",
    "隐患所在区域部门": "address",
    "隐患位置": "address",
    "隐患地点": "address",
    # region
    "所属镇街": "region",
    "镇街": "region",
    "街道": "region",
    "乡镇": "region",
    "村社区": "region",
    "所在镇": "region",
    "地区": "region",
    "所属区域": "region",
    "所属街道": "region",
    "所属乡镇": "region",
    # industry
    "行业": "industry",
    "行业领域": "industry",
    "所属行业": "industry",
    "行业与领域": "industry",
    "行业类别": "industry",
    # description
    "隐患内容": "description",
    "隐患描述": "description",
    "隐患名称": "description",
    "存在问题": "description",
    "问题描述": "description",
    "隐患问题描述": "description",
    "检查地点存在问题及隐患": "description",
    "隐患情况": "description",
    "存在的问题": "description",
    "隐患问题": "description",
    "事故隐患": "description",
    "隐患": "description",
    "问题": "description",
    "存在隐患": "description",
    "隐患具体内容": "description",
    # level
    "隐患等级": "level",
    "隐患级别": "level",
    "级别": "level",
    "等级": "level",
    "一般或重大": "level",
    "一般重大": "level",
    # category
    "隐患类别": "category",
    "隐患类型": "category",
    "类型": "category",
    "类别": "category",
    "分类": "category",
    "隐患分类": "category",
    "检查项": "category",
    # found
    "排查时间": "found_date",
    "排查日期": "found_date",
    "发现时间": "found_date",
    "发现日期": "found_date",
    "检查时间": "found_date",
    "检查日期": "found_date",
    "录入时间": "found_date",
    "排查人": "found_by",
    "排查人员": "found_by",
    "检查人": "found_by",
    "检查人员": "found_by",
    "发现人": "found_by",
    "上报人": "found_by",
    "来源": "source_channel",
    "隐患来源": "source_channel",
    "发现渠道": "source_channel",
    "检查类型": "source_channel",
    "排查方式": "source_channel",
    "发现方式": "source_channel",
    "执法文书": "source_channel",
    # rectification
    "整改措施": "measures",
    "治理措施": "measures",
    "防范措施": "measures",
    "采取措施": "measures",
    "整改要求": "measures",
    "责任人": "responsible_person",
    "整改责任人": "responsible_person",
    "负责人": "responsible_person",
    "整改负责人": "responsible_person",
    "整改期限": "deadline",
    "完成时限": "deadline",
    "计划完成时间": "deadline",
    "整改时限": "deadline",
    "要求整改日期": "deadline",
    "资金": "funds",
    "整改资金": "funds",
    "投入": "funds",
    "整改金钱": "funds",
    "治理资金": "funds",
    "整改状态": "status",
    "完成情况": "status",
    "是否整改": "status",
    "整改情况": "status",
    "状态": "status",
    "治理状态": "status",
    "处置状态": "status",
    "复查结果": "status",
    "销号情况": "status",
    "审核状态": "status",
    "完成时间": "rectified_date",
    "整改完成日期": "rectified_date",
    "实际完成时间": "rectified_date",
    "整改完成时间": "rectified_date",
    "整改时间": "rectified_date",
    "验收人": "verified_by",
    "复查人": "verified_by",
    "核查人": "verified_by",
    "销号时间": "closed_date",
    "销号日期": "closed_date",
    "备注": "remarks",
}

BOOKKEEPING = (
    r"(?<![人员者])(id|ids|uuid|guid|主键|外键)(列表|集合)?$|^(id|uuid|guid)|唯一(编码|标识|id)|主键|批次|流水号$|"
    r"^(创建|修改|更新|删除|编辑|最后修改|最后更新|归档|作废|同步|推送)(人|者|人员|时间|日期|用户|标志|标记|状态|次数|结果)?$|"
    r"^(创建|修改|更新|删除|编辑|归档|作废|同步|推送|入库)(人|者)?(姓名|名称|账号|时间|日期|标志|标记|状态|次数)|"
    r"(删除|归档|作废|激活|启用|禁用|有效|失效)(状态|标志|标记|标识)$|^是否(删除|归档|作废|激活|启用|禁用|有效|失效|推送|同步)|"
    r"流程(实例|定义|编号|状态|节点)|工作流|审批流|审批节点|逻辑删除|删除标[记志识]|实例(id|编号)|版本号?$|租户|时间戳|"
    r"(扩展|备用|预留|自定义)(字段|属性|列)\d*$|^(字段|属性)\d+$|^(排序|排序号|显示顺序)$"
)

# (field, priority, pattern, exclude) — matched against the core form; every match is a candidate.
RULES = [
    (f, p, re.compile(rx), re.compile(ex) if ex else None)
    for f, p, rx, ex in [
        # bookkeeping of the system a ledger was exported from: record ids, workflow, created/modified
        # by/at, delete/archive/activation flags, push/sync state, batches, versions, spare fields
        ("other", 98, BOOKKEEPING, None),
        # recognised columns that have no field of ours
        ("other", 97, r"照片|图片|相片|影像|视频|附件|图像|截图|录像", None),
        ("other", 97, r"签字|签名|盖章|签章|手印", None),
        ("other", 97, r"电话|手机|联系方式|联系号码|邮箱", None),
        ("other", 97, r"罚款|处罚|罚没|罚金", None),
        ("other", 97, r"风险(等级|级别|分级|点|源|类别|评价|值|管控)|危险源|危险有害因素|^lec|ls值", None),
        ("other", 97, r"信用代码|组织机构代码|营业执照|注册号|代码$", None),
        (
            "other",
            97,
            r"法定代表人|(?<!执)法人|主要负责人|实际控制人|安全负责人|企业负责人|单位负责人|安全管理人员|分管负责人",
            None,
        ),
        ("other", 97, r"经度|纬度|坐标|gps|定位", None),
        ("other", 97, r"督办|挂牌", r"挂牌(时间|日期)"),
        ("other", 96, r"依据|条款|判定标准|法律法规|标准规范", None),
        ("other", 96, r"原因", None),
        ("other", 96, r"预案", None),
        ("other", 96, r"意见", r"整改意见|处理意见|处置意见|(验收|复查|复检|核查|复核)意见"),
        ("other", 96, r"通知书|文书(编号|号)|文号", None),
        ("other", 96, r"设备|设施|装置|管道|管线|线路|电缆|电压|型号|规格", r"部位|位置|地点"),
        ("other", 96, r"标准化|资质|信用等级|(企业|单位|用户|客户)(类型|性质|规模)|经济类型|^规模", None),
        ("other", 96, r"人数|面积|数量|产值|从业人员|点数|扣分|记分|积分|分值", r"隐患.{0,8}(情况|内容|描述)"),
        ("other", 90, r"(开始|起始)(整改|治理|处置)?(时间|日期)$", None),
        ("other", 96, r"^(操作|选择|勾选)$", None),
        (
            "other",
            90,
            r"责任(单位|部门|科室|班组|领导)|整改(单位|部门)|(部门|科室|班组)$|^(检查|排查|巡查|督查)(项目|内容|标准|要求)$",
            None,
        ),
        ("other", 60, r"联系人|目标|任务|天数|超期|逾期|(上报|填报|报送|建设|设计|监理|勘察)(单位|部门)$", None),
        ("other", 50, r"^是否|^落实", None),
        # description
        (
            "description",
            93,
            r"隐患.{0,6}(内容|描述|情况|名称|问题|简述|详情|说明|表现|具体|事实|现状)|(问题|情况).{0,4}隐患$",
            r"整改|治理|来源|原因|类别|类型|等级|级别|部位|地点|位置|编号|单位|区域|状态|处置|销号|验收|复查|图片|照片|数|类",
        ),
        (
            "description",
            88,
            r"存在(的)?(问题|隐患|不足)|发现(的)?(问题|隐患)|问题(描述|内容|详情|说明|表现)|不符合(项|情况)?|"
            r"违法(违规)?(行为|事实|问题)|违规(行为|问题)|主要问题|安全隐患|检查情况$|检查发现|^隐患(及|和)?问题$",
            r"数$|数量|原因",
        ),
        ("description", 70, r"问题$|隐患$", r"数$"),
        # a sentence naming what the column holds: "发现安全隐患的数量、级别和具体情况"
        (
            "description",
            97,
            r"^(?=.{10,}$).*(隐患|问题).{0,12}(具体情况|详细情况|基本情况|情况|内容|描述)$",
            r"整改|治理|复查|验收|销号|落实|处置|原因",
        ),
        ("description", 60, r"^检查结果$", None),
        # level
        (
            "level",
            95,
            r"^(隐患)?(等级|级别|分级|级次|程度)$|隐患(等级|级别|分级)|一般.{0,2}重大|重大.{0,2}一般|是否(为|属于)?重大",
            None,
        ),
        ("level", 75, r"等级|级别", None),
        # category
        ("category", 90, r"^(隐患)?(类别|类型|分类|种类|性质|属性)$|隐患(类别|类型|分类|种类|性质|属性)", None),
        ("category", 80, r"^检查项$|^专业$|专业类别|问题(类别|类型|分类)", None),
        ("category", 60, r"类别|类型|分类", r"(表|单|书|证)(类型|类别)"),
        ("category", 90, r"^(隐患|问题)?(大类|小类|子类|细类|类目|门类)(名称)?$", None),
        # industry
        ("industry", 94, r"行业|领域", r"部门|单位"),
        ("industry", 80, r"场所(类型|类别|性质)", None),
        # region
        (
            "region",
            93,
            r"镇街|街镇|街道|乡镇|^(所在|所属)?(镇|乡|村)|村(居|社区)|社区|(所属|所在)(地区|区域|辖区|片区|网格)|"
            r"^(地区|辖区|片区|网格|属地|区县|县区|行政区|行政区划)$|属地",
            r"隐患|部位|具体|详细|地址|部门",
        ),
        ("region", 75, r"^区域$", None),
        ("region", 85, r"^(所属|所在)?(区域|地区|辖区|网格|片区)名称$", None),
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
        (
            "enterprise",
            95,
            r"(单位|企业|公司|场所|商户|店铺|门店|经营户|业户|厂矿|工厂|市场主体)(的)?(名称|全称|名字)|生产经营单位|"
            r"被(检查|排查|督查|执法)?(单位|企业|对象|场所)|受检(单位|企业)|检查(对象|企业)|隐患(所在|原)?单位$|存在隐患(的)?单位|"
            r"^(单位|企业|公司|店名|商户|场所|厂名|店铺|企业名|单位名)$|(用户|客户|业主|户主|经营者|供应商|承包商|分包商)(名称|姓名)|经营主体|主体名称|^主体单位$",
            r"(?<!被)检查单位|(?<!被)排查单位|责任单位|整改单位|验收单位|复查单位|督办单位|上报单位|填报单位|主管|监管|地址|电话|负责人|联系人|代码|类型|性质",
        ),
        ("enterprise", 80, r"^(施工|生产|经营|使用|运营|承包|产权|管理)单位$|^(所属|所在|涉及|隐患)单位$", None),
        ("enterprise", 80, r"^(所属|所在|涉及)(企业|公司)$", None),
        (
            "enterprise",
            85,
            r"(站|厂|店|场|馆|矿|酒店|宾馆|学校|医院|幼儿园|养老院)(名称|全称)$",
            r"隐患|设备|线路|管道|项目|工程|检查|风险|道路|路段|检测",
        ),
        ("enterprise", 65, r"(项目|工程|标段)(名称)?$", r"(检查|排查|巡查|评估|考核|督查)项目"),
        # found
        (
            "found_date",
            95,
            r"(排查|发现|检查|巡查|巡检|督查|督导|抽查|暗访|执法|登记|上报|报告|填报|录入|受理|举报|采集|提交|安检|检测|初检|签发|开立|开具|下达)(隐患|问题)?(的)?(时间|日期)",
            r"复查|复检|验收|整改",
        ),
        ("found_date", 85, r"^(隐患|问题)(发现)?(的)?(时间|日期)$", None),
        ("found_date", 70, r"挂牌(时间|日期)", None),
        ("found_date", 50, r"^(月份|年月|日期|时间)$", None),
        (
            "found_by",
            93,
            r"(排查|发现|检查|巡查|巡检|督查|督导|抽查|暗访|上报|报告|填报|录入|登记|执法|举报|提交|检测|初检|签发|开立|开具)(人|人员|者|员|组|组成员|小组|组长|队员)$|检查组",
            None,
        ),
        ("found_by", 90, r"(排查|检查|巡查)责任人", None),
        ("found_by", 85, r"^(安检员|检查员|巡查员|巡检员|安全员|网格员|督查员|监督员|检测员)$", None),
        ("found_by", 75, r"(检查|排查|督查|执法|巡查|发现|开立|签发)(单位|部门|机构|班组|科室)$", None),
        (
            "source_channel",
            93,
            r"来源|渠道|(发现|录入|排查|检查|上报|报送|采集|登记)(方式|途径|形式|类型|类别|方法)|检查性质",
            r"资金|经费|费用|原因",
        ),
        ("source_channel", 80, r"^执法文书$|^文书类型$", None),
        # rectification
        ("measures", 75, r"^(整改|治理)(说明|记录|描述|内容说明)$", None),
        ("measures", 80, r"^(隐患|问题)?(处置|处理|改正|纠正)$", None),
        (
            "measures",
            93,
            r"(整改|治理|防范|处理|处置|控制|管控|纠正|预防|应急|安全|采取|补救|临时|防控|改进)(的)?(措施|方案|要求|建议|意见|办法)|"
            r"措施$|^整改内容$|整改及防范措施",
            r"落实|是否",
        ),
        (
            "responsible_person",
            92,
            r"责任人|负责人|整改人|整改员|落实人|承办人|经办人|处理人|整改责任|包保",
            r"验收|复查|检查|排查|发现|上报|(单位|部门)(?!.*(责任人|负责人))",
        ),
        (
            "deadline",
            95,
            r"期限|时限|限期|限改|限定|时间要求|日期要求|截止.{0,4}(时间|日期)|(计划|要求|应|规定|预计|预定|承诺|拟)(整改)?(完成|整改|治理|销号)(的)?(时间|日期)|要求完成|计划完成",
            # "销号审核期限": the reviewer's deadline once the rectification is done, not the rectification's
            r"^落实|审核(的)?(期限|时限)",
        ),
        ("funds", 92, r"资金|经费|费用|投入|投资|金额|金钱|预算|造价|^cost$", None),
        ("funds", 96, r"(资金|经费)(来源|保障|筹措|落实|投入)", None),
        (
            "status",
            90,
            r"(整改|治理|处置|处理|办理|审核|销号|闭环|完成|验收|复查|复检|落实|办结|跟踪)(到位|落实|完成)?(的)?(状态|情况|结果|进度|进展|结论)|"
            r"^(当前|隐患|处理|整改|治理)?状态$|是否.{0,4}(整改|完成|销号|闭环|治理|消除|处理|办结)",
            None,
        ),
        ("status", 70, r"当前节点|^进度$|^结果$|闭环", None),
        (
            "rectified_date",
            90,
            r"(整改|治理|实际|处置|完成整改|整改完成|治理完成)(完成)?(的)?(时间|日期)|完成(时间|日期)|实际完成",
            r"计划|要求|预计|应|规定|拟|截止|开始|起始",
        ),
        (
            "verified_by",
            92,
            r"(验收|复查|复检|核查|复核|核验|验证|确认|销号|审核)(责任人|人|人员|员|者|负责人|签字人)$|验收(组|小组)",
            None,
        ),
        ("verified_by", 70, r"(验收|复查|复核|核查)(单位|机构)$", None),
        ("closed_date", 95, r"(销号|闭环|关闭|注销|完结|办结|结案)(的)?(时间|日期)|^销号$", None),
        ("closed_date", 88, r"(验收|复查|复检|复核|核查|核验|验证|审核)(通过)?(的)?(时间|日期)", None),
        ("remarks", 95, r"^(备注|说明|其他|其它|附注|备考|备注说明|其他说明|情况说明)\d*$", None),
        # "验收情况": what the verifier wrote, not the state ("隐患状态"/"整改状态" are)
        ("remarks", 94, r"(验收|复查|复检|核查|复核)(情况|意见|说明|记录|评价|描述|备注)$", None),
        ("seq", 96, r"^(序号|序|编号|no|nr|number|id|顺序号|序列号|序列|排序|流水号|行号|序次|登记号)$", None),
        ("seq", 85, r"(隐患|台账|登记|问题|记录)(编号|序号|编码|代码)$|编号$|序号$", r"(表|单|书|证|文书)(编号|序号)$"),
    ]
]

OPTIONS = {
    "level": {"一般", "重大", "一般隐患", "重大隐患", "一般事故隐患", "重大事故隐患", "较大", "较大隐患"},
    "status": {
        "已整改",
        "未整改",
        "已治理",
        "未治理",
        "整改中",
        "治理中",
        "已完成",
        "未完成",
        "已销号",
        "未销号",
        "已闭环",
        "未闭环",
        "完成",
        "正在整改",
        "逾期",
        "逾期未整改",
        "已验收",
        "待验收",
        "是",
        "否",
        "已处理",
        "未处理",
    },
    "source_channel": {
        "自报",
        "代报",
        "自查",
        "企业自查",
        "督查",
        "督导检查",
        "执法",
        "执法检查",
        "举报",
        "群众举报",
        "暗访",
        "交办",
        "上级交办",
        "监测",
        "监测预警",
        "日常检查",
        "专项检查",
        "综合检查",
        "季节性检查",
        "节假日检查",
    },
    "category": {
        "人的不安全行为",
        "物的不安全状态",
        "管理缺陷",
        "管理上的缺陷",
        "环境因素",
        "环境不良",
        "基础管理",
        "现场管理",
        "基础管理类",
        "现场管理类",
    },
}


# English field codes of system exports (camelCase, snake_case): each word read as its Chinese
# header word, so "dangerSrc" reads as 隐患来源 and "checkAcceptTime" as 检查验收时间.
ENGLISH = {
    "隐患": "danger hazard hazards hidden trouble issue defect deficiency problem yh",
    "描述": "desc description descr detail details content conent",
    "名称": "name title",
    "等级": "level levels grade",
    "来源": "src source origin",
    "类型": "type kind",
    "类别": "category catalog catelog class",
    "措施": "measure measures suggestion suggestions remedy steps step action actions plan",
    "资金": "cost costs fund funds money amount investment budget",
    "期限": "deadline limit due",
    "状态": "state status",
    "进展": "progress",
    "登记": "regist register registration record",
    "发现": "find found discover",
    "检查": "check inspect inspection initial",
    "检测": "detect detection",
    "人": "person user man officer by staff",
    "检查人": "inspector checker finder reporter registrant filler",
    "责任人": "liable responsible owner charge",
    "整改": "rectify rectification improve improvement",
    "验收": "accept acceptance verify verification",
    "复查": "review reviewer recheck",
    "情况": "comment comments result results opinion",
    "备注": "remark remarks note notes memo",
    "时间": "time date datetime",
    "日期": "day",
    "照片": "picture pic pics photo photos image images img",
    "单位": "company dept department org organization organisation unit enterprise corp",
    "地址": "address adress addr location place position site",
    "区域": "area region zone",
    "村": "village viliage",
    "镇": "town street",
    "电话": "phone tel mobile telephone",
    "原因": "reason cause",
    "序号": "seq no num number index",
    "月份": "month",
    "年份": "year",
    "完成": "complete completion finish finished done",
    "行业": "industry trade",
    "id": "id ids uuid guid key pk",
    "代码": "code",
    "扩展": "ext extend extra",
    "字段": "field attr attribute",
    "重大": "major",
    "销号": "close closed closing",
    "上报": "report reported",
    "网格": "grid",
    "版本": "version ver",
    "流程": "wf workflow flow proc",
    "实例": "instance inst",
    "创建": "create created",
    "更新": "update updated modify modified",
    "删除": "delete deleted del",
    "推送": "push",
    "次数": "count times",
    "批次": "batch",
    "是否": "is has",
    "激活": "activation active",
    "签名": "signature sign",
    "复查人": "reviewer rechecker",
    "截止": "end",
    "开始": "start star begin",
    "签发": "send issued",
    "信息": "msg message info",
}
_ENGLISH = {word: zh for zh, words in ENGLISH.items() for word in words.split()}
# Field codes in pinyin, as domestic systems name their columns: whole words ("PaiCha", "zhenggai_qixian") and the
# initials of a header ("YHMS" 隐患描述, "zgqx" 整改期限, "FXRQ" 发现日期). Read before the English words, longest
# first, over adjacent words joined ("Pai" + "Cha").
PINYIN = {
    "隐患": "yinhuan yh",
    "描述": "miaoshu ms neirong nr",
    "名称": "mingcheng mc",
    "等级": "dengji dj jibie jb",
    "类别": "leibie lb leixing lx",
    "来源": "laiyuan ly",
    "排查": "paicha pc",
    "检查": "jiancha jc",
    "发现": "faxian fx",
    "整改": "zhenggai zg",
    "措施": "cuoshi cs",
    "期限": "qixian qx",
    "时限": "shixian",
    "日期": "riqi rq",
    "时间": "shijian sj",
    "责任": "zeren zr",
    "人": "ren r",
    "责任人": "zerenren zrr",
    "企业": "qiye qy",
    "单位": "danwei dw",
    "地址": "dizhi dz",
    "状态": "zhuangtai zt",
    "资金": "zijin zj",
    "完成": "wancheng wc",
    "销号": "xiaohao xh",
    "验收": "yanshou ys",
    "备注": "beizhu bz",
    "序号": "xuhao",
    "区域": "quyu",
    "行业": "hangye hy",
    "上报": "shangbao sb",
    "复查": "fucha",
}
_PINYIN = {word: zh for zh, words in PINYIN.items() for word in words.split()}
# A run of initials standing for a whole header ("yhms", "zgqx", "zrr"): read only when every letter pair is known.
_INITIALS = {
    "yhms": "隐患描述",
    "yhmc": "隐患名称",
    "yhdj": "隐患等级",
    "yhlb": "隐患类别",
    "yhly": "隐患来源",
    "zgcs": "整改措施",
    "zgqx": "整改期限",
    "zgsx": "整改时限",
    "zgzrr": "整改责任人",
    "zgzt": "整改状态",
    "zgzj": "整改资金",
    "zgwcrq": "整改完成日期",
    "wcrq": "完成日期",
    "zrr": "责任人",
    "fxrq": "发现日期",
    "fxr": "发现人",
    "pcrq": "排查日期",
    "pcr": "排查人",
    "jcrq": "检查日期",
    "jcr": "检查人",
    "qymc": "企业名称",
    "dwmc": "单位名称",
    "xhrq": "销号日期",
    "ysrq": "验收日期",
    "ysr": "验收人",
    "bz": "备注",
    "xh": "序号",
}
_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
# "登记人姓名", "检查人id", "验收人账号": a person named, or given by an id, is the person's field
_PERSON_KEY = re.compile(r"^(.*?(?:人|员|者))(?:姓名|名字|名称|id|账号|工号|编号|代码|编码|ids)$")


def english_header(code, *, strict=False):
    """The Chinese reading of a field code in English or pinyin ("dangerDesc", "PaiChaUser", "YHMS"): "" when half
    its words are unknown (strict: any)."""
    words = [w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", code.replace("_", " "))]
    out, known, at = [], 0, 0
    while at < len(words):
        if words[at] in _INITIALS:  # "YHMS", "zgqx": a whole header in initials
            out.append(_INITIALS[words[at]])
            known, at = known + 1, at + 1
            continue
        for size in (3, 2):  # pinyin syllables a camel case split ("Pai" "Cha", "Zhe" "ng" …) read as one word
            joined = "".join(words[at : at + size])
            if size <= len(words) - at and joined in _PINYIN:
                out.append(_PINYIN[joined])
                known, at = known + size, at + size
                break
        else:
            word = words[at]
            zh = _ENGLISH.get(word) or (_PINYIN.get(word) if len(word) > 2 else None)
            if zh:
                out.append(zh)
                known += 1
            at += 1
    enough = known == len(words) if strict else known * 2 >= len(words)
    return "".join(out) if enough else ""


def header_candidates(text):
    """{field: score} for one header text alone (no parent, no values)."""
    text = text if isinstance(text, str) else str(text or "")
    if _CODE.match(text.strip()) and text.strip().lower() not in SYNONYMS:
        zh = english_header(text.strip())
        if not zh:
            return {}
        return {f: score - 3 for f, score in _candidates(zh).items()}
    return _candidates(text)


@functools.lru_cache(maxsize=8192)
def _candidates_cached(text):
    return tuple(_compute_candidates(text).items())


def _candidates(text):
    return dict(_candidates_cached(text))


def _compute_candidates(text):
    full, core = normalise(text)
    m = _PERSON_KEY.match(core)
    if m and m.group(1) != core:
        own = {f: score - 2 for f, score in _compute_candidates(m.group(1)).items()}
        if own and max(own, key=own.get) != "other":
            return own
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
            own = _compute_candidates(part)
            meaningful |= bool(own) and max(own, key=own.get) != "other"
            for f, score in own.items():
                add(f, score - 6 - min(position, 1))  # on a tie the first part wins
        if meaningful:
            found.pop("other", None)
    return found
