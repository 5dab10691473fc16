"""Campaign presets: the special campaigns the plans name (seed 000 §二.19–20: 燃气“带病运行”,
经营性自建房, “九小场所”, 消防通道; and the 电动自行车 and 有限空间 campaigns run alongside them), as
data the 安委办 starts from. Each gives a name, the requirements text, the targets (industries by
code, see regions.choices.DEFAULT_INDUSTRIES; place kinds, see hazards.choices.PlaceKind), the
industry a place's hazards are registered under, and the ledger's extra columns.

A column is {key, label, type: text/number/bool/choice, choices, required, problem}. `problem` marks
what a finding is: a bool column answered 是 is a problem found, and a text column with `problem`
describes it; either makes the check report one hazard (columns.py `problem_description`).
"""

from copy import deepcopy


def _bool(key, label, *, problem=True, required=False):
    return {"key": key, "label": label, "type": "bool", "choices": [], "required": required, "problem": problem}


def _text(key, label, *, problem=False, required=False):
    return {"key": key, "label": label, "type": "text", "choices": [], "required": required, "problem": problem}


def _number(key, label, *, required=False):
    return {"key": key, "label": label, "type": "number", "choices": [], "required": required, "problem": False}


def _choice(key, label, choices, *, required=False):
    return {"key": key, "label": label, "type": "choice", "choices": choices, "required": required, "problem": False}


PRESETS = [
    {
        "key": "gas",
        "name": "燃气“带病运行”排查整治",
        "description": (
            "以燃气管道“带病运行”专项治理为重点，围绕“问题气”“问题瓶”“问题阀”“问题软管”“问题管网”“问题环境”，"
            "对燃气经营企业、燃气管道以及餐饮等单位用户和地下空间燃气安全进行全覆盖排查整治；全面起底整治交叉、"
            "穿越、占压、间距不足、老旧破损管线等风险隐患，及时建立台账，实现清单化管理。"
        ),
        "industries": ["gas"],
        "place_kinds": ["gas_pipe"],
        "place_industry": "gas",
        "columns": [
            _choice(
                "user_type",
                "用户类型",
                ["燃气经营企业", "餐饮等单位用户", "地下空间", "燃气管道", "居民用户", "其他"],
                required=True,
            ),
            _bool("problem_gas", "问题气"),
            _bool("problem_cylinder", "问题瓶"),
            _bool("problem_valve", "问题阀"),
            _bool("problem_hose", "问题软管"),
            _bool("problem_network", "问题管网"),
            _bool("problem_environment", "问题环境"),
            _text("problem_text", "问题描述", problem=True),
            _bool("alarm_installed", "已安装燃气泄漏报警装置", problem=False),
        ],
    },
    {
        "key": "self_built",
        "name": "经营性自建房安全隐患排查",
        "description": (
            "对用作餐饮、住宿、商超、教育培训、养老、生产加工等经营用途的自建房逐栋排查，重点查改扩建、"
            "结构安全、消防安全，存在安全隐患的自建房整治全覆盖。"
        ),
        "industries": [],
        "place_kinds": ["self_built"],
        "place_industry": "construction",
        "columns": [
            _number("floors", "层数", required=True),
            _choice(
                "use",
                "经营用途",
                ["餐饮", "住宿", "商超", "教育培训", "养老", "医疗", "生产加工", "其他"],
                required=True,
            ),
            _choice("structure", "结构类型", ["砖混", "框架", "砖木", "钢结构", "其他"]),
            _choice("appraisal", "房屋安全鉴定", ["A级", "B级", "C级", "D级", "未鉴定"]),
            _bool("unauthorized_change", "违规改扩建、加层"),
            _bool("structural_damage", "墙体梁柱开裂变形"),
            _bool("fire_exit", "疏散通道不畅或安全出口不足"),
            _text("problem_text", "问题描述", problem=True),
        ],
    },
    {
        "key": "nine_small",
        "name": "“九小场所”消防安全整治",
        "description": (
            "对小学校或幼儿园、小医院、小商店、小餐饮、小旅馆、小歌舞娱乐场所、小网吧、小美容洗浴场所、"
            "小生产加工企业等“九小场所”开展消防安全排查整治，重点查消防设施、电气线路、疏散通道和“三合一”住人。"
        ),
        "industries": [],
        "place_kinds": ["nine_small"],
        "place_industry": "fire",
        "columns": [
            _choice(
                "place_type",
                "场所类别",
                [
                    "小学校或幼儿园",
                    "小医院",
                    "小商店",
                    "小餐饮",
                    "小旅馆",
                    "小歌舞娱乐场所",
                    "小网吧",
                    "小美容洗浴场所",
                    "小生产加工企业",
                ],
                required=True,
            ),
            _bool("extinguisher", "灭火器缺失或失效"),
            _bool("wiring", "电气线路私拉乱接"),
            _bool("exit_blocked", "安全出口、疏散通道堵塞"),
            _bool("living", "违规住人（“三合一”）"),
            _text("problem_text", "问题描述", problem=True),
        ],
    },
    {
        "key": "ebike",
        "name": "电动自行车安全隐患整治",
        "description": (
            "排查住宅小区、自建房和人员密集场所电动自行车违规停放、入户充电、飞线充电和违规改装，"
            "推动集中停放充电设施建设。"
        ),
        "industries": [],
        "place_kinds": ["public_place", "self_built", "nine_small"],
        "place_industry": "fire",
        "columns": [
            _number("vehicles", "检查车辆数"),
            _bool("charging_facility", "设有集中停放充电场所", problem=False),
            _bool("indoor_charging", "入户或楼道内停放充电"),
            _bool("flying_wire", "飞线充电"),
            _bool("exit_parking", "占用疏散通道停放"),
            _bool("modified", "违规改装或非标车辆"),
            _text("problem_text", "问题描述", problem=True),
        ],
    },
    {
        "key": "confined_space",
        "name": "有限空间作业专项整治",
        "description": (
            "对存在有限空间作业的工贸企业逐家排查：有限空间辨识和台账、警示标志、作业审批、"
            "“先通风、再检测、后作业”、监护和应急救援装备、作业人员培训。"
        ),
        "industries": [
            "metallurgy",
            "nonferrous",
            "building_materials",
            "machinery",
            "light",
            "textile",
            "tobacco",
            "commerce",
        ],
        "place_kinds": [],
        "place_industry": "",
        "columns": [
            _number("spaces", "有限空间数量", required=True),
            _bool("ledger", "已建立有限空间管理台账", problem=False),
            _bool("no_signs", "未设置安全警示标志"),
            _bool("no_approval", "作业未履行审批"),
            _bool("no_detection", "未配备通风检测设备"),
            _bool("no_rescue", "未配备应急救援装备"),
            _bool("no_training", "作业人员未经培训"),
            _text("problem_text", "问题描述", problem=True),
        ],
    },
    {
        "key": "fire_lane",
        "name": "消防通道畅通专项整治",
        "description": "深入开展应急逃生出口和消防车通道打通工作，整治占用、堵塞、封闭消防车通道和疏散通道、安全出口。",
        "industries": ["commerce", "culture_tourism"],
        "place_kinds": ["public_place", "self_built", "nine_small"],
        "place_industry": "fire",
        "columns": [
            _bool("lane_occupied", "消防车通道被占用"),
            _bool("exit_locked", "安全出口锁闭"),
            _bool("stairs_blocked", "疏散楼梯、走道堆放杂物"),
            _bool("markings_missing", "标识标线缺失"),
            _bool("cleared_on_site", "已当场清理", problem=False),
            _text("problem_text", "问题描述", problem=True),
        ],
    },
]

BY_KEY = {p["key"]: p for p in PRESETS}


def preset(key):
    """A copy of the preset `key` (None when there is none): callers may change it freely."""
    found = BY_KEY.get(key)
    return deepcopy(found) if found else None
