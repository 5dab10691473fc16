"""Seed plans: every row of seed 000's 重点任务清单 exactly, and the prose plans 001 and 003.

Seed 000's list was checked by hand against the document: 79 rows (78 complete rows plus row 19,
whose 完成时间 cell holds two paragraphs "2025年" and "2026年"). A blank cell is a merged cell and
repeats the value above it (rows 2, 8–9, 16, 25, 37, 39, 42–43, 45, 48–49, 51, 56, 65, 68, 70, and
the 责任科室 of rows 73–77).
"""

from pathlib import Path

import pytest

from zhiben.plans.parsing import JSON_KEYS, parse_plan

FIXTURES = Path(__file__).parent / "fixtures"
SEED_000 = FIXTURES / "000_a050215f287c916e.txt"
SEED_001 = FIXTURES / "001_7102c7c32a80523c.txt"
SEED_003 = FIXTURES / "003_b8649153a1699436.txt"

ACTIONS = [
    "一、开展重大安全风险源头管控行动",
    "二、开展重大事故隐患动态清零行动",
    "三、开展生产经营单位安全管理体系建设行动",
    "四、开展企业全员安全能力提升行动",
    "五、开展安全监管效能提升行动",
    "六、开展数字整体智治能力提升行动",
    "七、开展安全工程治理行动",
    "八、开展全民安全素质提升行动",
]
KEY_TASKS = [
    "1.强化重大安全风险源头管控。",
    "2.健全完善生产经营单位重大事故隐患自查自改常态化机制。",
    "3.建立重大事故隐患督办销号制度。",
    "4.务实推进安全生产标准化建设。",
    "5.推进全员安全生产责任制全面落实。",
    "6.开展生产经营单位主要负责人及其他负责人安全生产履职能力提升培训。",
    "7.开展生产经营单位从业人员安全技能培训。",
    "8.开展党政领导干部统筹发展和安全能力提升培训。",
    "9.开展安全监管执法人员能力提升培训。",
    "10.完善安全生产行政执法体系。",
    "11.加大监管执法力度。",
    "12.完善举报奖励制度。",
    "13.切实提升基层应急管理能力。",
    "14.规范安全生产服务机构。",
    "15.推进保险业与安全生产良性互动。",
    "16.推进数字应急综合应用建设。",
    "17.加大老旧工艺设备设施淘汰改造力度。",
    "18.加强安全生产风险监测预警管控能力建设。",
    "19.加大安全工程治理力度。",
    "20.深化燃气安全专项整治。",
    "21.强力推进安全宣传教育。",
]
# (action no., key task no., content, deadline text, responsible) — one line per table row
ROWS_000 = [
    (
        1,
        1,
        "建立完善各类发展规划的安全风险评估会商机制，配合落实青凤科创园等重点区域安全生产禁止和限制类产业目录，严格安全准入。",
        "2024年",
        "经发办",
    ),
    (1, 1, "配合落实危险化学品禁限控目录和危险化学品布局规划、烟花爆竹安全专项规划。", "2024年", "经发办、应急办"),
    (
        1,
        1,
        "配合建立高危项目源头立项咨询评估机制，严禁被淘汰的落后产能落地，对有重大安全风险的实行“一票否决”，切实把好项目“准入关”。",
        "2025年",
        "经发办、应急办",
    ),
    (
        1,
        1,
        "配合开展违规审批落地项目专项整治，对违规落地的进行追责问责，对违规落地且发生安全事故的加重处罚。",
        "2026年",
        "经发办",
    ),
    (
        2,
        2,
        "生产经营单位要在开展重大事故隐患判定标准培训的同时，全面开展重大事故隐患大排查，建立台账并推进整改。",
        "2024年6月底前",
        "镇安委会有关成员单位",
    ),
    (
        2,
        2,
        "严格落实班组日排查、部门周排查、厂长月排查的“日周月”隐患排查制度，生产经营单位主要负责人每季度带队对本单位重大事故隐患排查整治情况检查至少1次（高危行业领域每月至少1次）。",
        "长期坚持",
        "镇安委会有关成员单位",
    ),
    (2, 3, "建立分区域、分行业重大事故隐患统计分析机制。", "2024年", "镇安委会有关成员单位"),
    (
        2,
        3,
        "健全重大事故隐患数据库，实现企业自查上报、督导检查发现、群众举报核查等各渠道排查的重大事故隐患全量汇总，推动信息共享集中。",
        "2024年",
        "镇安委会办公室",
    ),
    (
        2,
        3,
        "及时告知相关企业主要负责人、实际控制人，动态更新整改落实情况，推动整改销号，基本消除2023年及以前排查发现的重大事故隐患存量。",
        "2024年",
        "镇安委会有关成员单位",
    ),
    (2, 3, "有效遏制重大事故隐患增量。", "2025年", "镇安委会有关成员单位"),
    (2, 3, "形成重大事故隐患动态清零的常态化机制。", "2026年", "镇安委会有关成员单位"),
    (2, 3, "组织对全镇重点行业领域企业开展1次重大事故隐患排查整治情况专项督查。", "每年", "镇安委会"),
    (
        2,
        3,
        "将排查出的重大事故隐患纳入“安全生产和自然灾害问题清单”管理，定期晾晒考核，对整改缓慢的及时采取函告、通报、约谈等措施，督促按期销号。",
        "长期坚持",
        "镇安委会办公室",
    ),
    (
        3,
        4,
        "重点行业领域部门要执行本行业领域的安全生产标准化建设达标评估规则，将员工知识掌握情况、操作能力及岗位行为操作规范等纳入评价的重要内容，杜绝“资料达标”。",
        "2024年",
        "镇安委会有关成员单位",
    ),
    (
        3,
        4,
        "工贸八大行业规模以上重点企业基本完成安全生产标准化达标建设；民爆生产、销售企业二级标准化达标率达到100%。",
        "2025年",
        "镇安委会有关成员单位",
    ),
    (3, 4, "打造一批安全生产标准化标杆企业单位，推广安全管理体系先进经验。", "2025年", "镇安委会有关成员单位"),
    (3, 4, "巩固深化各行业领域企业安全生产标准化建设。", "2026年", "镇安委会有关成员单位"),
    (3, 5, "健全并落实企业全员安全生产责任制。", "2024年", "镇安委会有关成员单位"),
    (3, 5, "持续巩固深化全员安全生产责任制。", "2025年 2026年", "镇安委会有关成员单位"),
    (4, 6, "对重点行业领域开展1次履职能力提升全覆盖培训。", "2024年", "镇安委会有关成员单位"),
    (4, 6, "对重点行业领域开展1次履职能力强化全覆盖培训。", "2025年", "镇安委会有关成员单位"),
    (4, 6, "对重点行业领域开展1次履职能力巩固全覆盖培训。", "2026年", "镇安委会有关成员单位"),
    (4, 6, "开展生产经营单位主要负责人安全生产履职强化专项行动。", "2026年", "镇安委会有关成员单位"),
    (
        4,
        7,
        "按照培训有关规定，围绕生产经营单位从业人员岗位安全风险、安全职责、应急处置技能，结合重大事故隐患判定标准等内容全面开展安全技能培训。",
        "2024年",
        "镇安委会有关成员单位",
    ),
    (4, 7, "开展企业特种作业人员持证上岗专项整治，推进特种作业人员全面持证上岗。", "2024年", "市场监管所、应急办"),
    (4, 7, "启动运用国家层面统一的“互联网+特种作业人员综合管理服务”系统。", "2025年", "镇安委会有关成员单位"),
    (4, 7, "高危行业在岗和新入职人员培训考核合格率达到100%。", "2026年", "镇安委会有关成员单位"),
    (
        4,
        7,
        "生产经营单位每年至少组织开展1次疏散逃生演练（高危行业领域每半年至少1次），并形成常态化机制。",
        "长期坚持",
        "镇安委会有关成员单位",
    ),
    (5, 8, "按照区相关部门通知要求，组织镇党政领导参加统筹发展和安全能力提升培训。", "每年", "党建办"),
    (5, 8, "全面开展培训工作。", "2024年", "党建办"),
    (5, 8, "持续开展培训工作。", "2025年", "党建办"),
    (5, 8, "实现镇党政领导干部培训全覆盖。", "2026年", "党建办"),
    (5, 9, "实现镇安全生产工作负责人监管执法能力提升培训全覆盖。", "2024年", "司法所"),
    (5, 9, "实现安全监管执法人员培训全覆盖。", "2025年", "司法所"),
    (5, 9, "持续开展安全监管执法能力提升培训，监管执法能力明显增强。", "2026年", "司法所"),
    (5, 10, "建立健全各行业领域安全生产监管执法统计、执法考核和典型案例报送制度。", "2024年", "司法所"),
    (5, 10, "积极参加执法练兵和比武竞赛。", "2024年", "司法所"),
    (5, 10, "全面完善执法责任、管理制度、监督考评、保障体系。", "2025年", "司法所"),
    (5, 10, "加强安全生产行政执法人员执法装备配备，镇综合行政执法装备达标率达到100%。", "2025年", "司法所"),
    (5, 10, "全面建成安全生产行政执法体系。", "2026年", "司法所"),
    (
        5,
        11,
        "聚焦重大事故隐患排查整治，集中挂牌、公布、曝光、处理一批重大事故隐患。",
        "长期坚持",
        "镇安委会有关成员单位",
    ),
    (5, 11, "对“零处罚”“只检查不处罚”等执法“宽松软虚”单位进行约谈通报。", "长期坚持", "司法所"),
    (
        5,
        11,
        "坚持“有案必查、一案双查、三责同追、四不放过”，严肃事故调查，对典型事故实施挂牌督办。",
        "长期坚持",
        "应急办",
    ),
    (
        5,
        12,
        "建立健全各行业领域安全生产举报制度机制，保障专项预算、落实奖励资金、完善保密制度，充分发动社会公众和从业人员举报或报告生产经营单位存在的重大事故隐患。",
        "长期坚持",
        "镇安委会有关成员单位",
    ),
    (
        5,
        12,
        "推动生产经营单位建立健全事故隐患报告奖励等安全自治机制，完善物质和精神双重奖励措施，对报告重大事故隐患等突出问题的予以重奖。",
        "长期坚持",
        "镇安委会有关成员单位",
    ),
    (5, 13, "结合实际为配备完善应急救援装备。", "2024年", "应急办、财政办"),
    (5, 13, "镇应急救援队伍建成率达到100%。", "2025年", "应急办"),
    (5, 13, "村（社区）应急救援站（点）建成率达到90%。", "2025年", "应急办"),
    (5, 13, "重点行业领域专业救援队伍建成率达到80%。", "2025年", "应急办"),
    (5, 13, "村（社区）应急救援站（点）建成率达到100%。", "2026年", "应急办"),
    (5, 13, "重点行业领域专业救援队伍建成率达到90%，提升基层应急救援队伍快速响应和先期处置能力。", "2026年", "应急办"),
    (5, 14, "配合区相关部门清退一批不符合安全生产条件的培训机构，推进规范化建设。", "2024年", "镇安委会有关成员单位"),
    (5, 14, "实现安全生产培训服务机构规范化达标率100%。", "2025年", "镇安委会有关成员单位"),
    (5, 14, "安全生产培训服务机构实现“智管”“智服”。", "2026年", "镇安委会有关成员单位"),
    (5, 15, "按照全市统一部署，积极推动保险公司出资为货运车辆安装主动安全智能防御系统。", "2024年", "经发办"),
    (5, 15, "鼓励电梯生产、经营、使用、维保等单位购买安全责任保险和电梯综合保险。", "2024年", "经发办"),
    (
        5,
        15,
        "推动保险机构积极参与高危行业领域企业安全培训、安全咨询、重大事故隐患排查整治等工作。",
        "长期坚持",
        "应急办",
    ),
    (6, 16, "继续优化工贸企业安全监管等现有应用场景，积极推进“九小场所”智管等应用场景建设。", "2024年", "应急办"),
    (
        6,
        16,
        "推进应急感知监测体系建设，完善数据资源与能力组件，铺设基础感知设备设施，初步建成业务应用生态体系。",
        "2025年",
        "镇安委会有关成员单位",
    ),
    (
        6,
        16,
        "进一步完善系统功能，补齐城市安全体征，完善智能算法，保障数字应急智能、高效、实用。",
        "2026年",
        "镇安委会有关成员单位",
    ),
    (
        6,
        17,
        "依法加快推进“小散乱”企业有序关闭、老旧直流内燃机车报废、“大吨小标”货车违规生产销售治理。",
        "2024年",
        "经发办",
    ),
    (
        6,
        17,
        "聚焦突出重大安全风险隐患，加大安全生产科技项目攻关力度，加快突破重要安全生产装备关键核心技术。",
        "2026年",
        "镇安委会有关成员单位",
    ),
    (6, 18, "启动使用危险化学品等高危企业安全生产电力监测分析系统。", "2024年", "应急办"),
    (6, 18, "实现危险化学品重大危险源、铝加工、重点粉尘涉爆等企业安全风险监测预警全覆盖。", "2025年", "应急办"),
    (6, 18, "积极推动国家安全发展示范城市创建工作。", "2025年", "镇安委会有关成员单位"),
    (
        6,
        18,
        "将风险监测预警系统逐步推广到其他领域，企业安全生产风险智能化管控能力显著增强。",
        "2026年",
        "镇安委会有关成员单位",
    ),
    (7, 19, "基本完成危旧房摸底调查库中城市D级危房居住人员搬离。", "2024年", "规建办"),
    (7, 19, "实施公路安全生命防护工程。", "2024年", "经发办"),
    (7, 19, "基本实现存在安全隐患自建房整治全覆盖。", "2025年", "规建办"),
    (7, 19, "基本实现城镇建成区消防供水全覆盖。", "2025年", "应急办"),
    (
        7,
        19,
        "严格执行市政消火栓与城市新（改）建道路同步设计、同步建设、同步投用，实现城镇市政消火栓建有率100%。",
        "长期坚持",
        "规建办",
    ),
    (
        7,
        20,
        "以燃气管道“带病运行”专项治理为重点，围绕“问题气”“问题瓶”“问题阀”“问题软管”“问题管网”“问题环境”，对燃气经营企业、燃气管道以及餐饮等单位用户和地下空间燃气安全进行全覆盖排查整治。",
        "长期坚持",
        "经发办",
    ),
    (
        7,
        20,
        "推动“燃气安全一件事”应用开发，加快燃气安全监管智能化、数字化建设，综合施策提升燃气本质安全水平。",
        "长期坚持",
        "经发办",
    ),
    (
        7,
        20,
        "全面起底整治交叉、穿越、占压、间距不足、老旧破损管线“带病运行”等风险隐患，全面清查供气管道、燃气设施、液化石油气瓶罐等底数，及时建立台账，实现清单化管理。",
        "2024年",
        "经发办",
    ),
    (7, 20, "按时完成2023 年4月以前已经评估的20年以上市政老旧管网更新改造任务。", "2024年", "经发办"),
    (
        7,
        20,
        "持续推进城镇老旧燃气管道管网更新改造，按时完成2023年4月之后新增“带病运行”管道管网更新改造任务。",
        "2025年",
        "经发办",
    ),
    (
        7,
        20,
        "严格执行燃气经营许可管理制度和相关法规标准，建立严进、严管、重罚的燃气市场管理机制，推动燃气安全向事前预防转型。",
        "2026年",
        "经发办",
    ),
    (8, 21, "持续开展工贸安全“百家讲坛”等安全知识大宣讲活动。", "每年", "应急办"),
    (
        8,
        21,
        "启动应急能力建设行动，评选良好实践社区（村）、学校，力争以试点引路，促使全区安全水平整体提高。",
        "长期坚持",
        "应急办",
    ),
]
# the action each key task belongs to
KEY_TASK_ACTION = {
    1: 1,
    2: 2,
    3: 2,
    4: 3,
    5: 3,
    6: 4,
    7: 4,
    8: 5,
    9: 5,
    10: 5,
    11: 5,
    12: 5,
    13: 5,
    14: 5,
    15: 5,
    16: 6,
    17: 6,
    18: 6,
    19: 7,
    20: 7,
    21: 8,
}
DEADLINES = {
    "2024年": ("2024-12-31", "once"),
    "2025年": ("2025-12-31", "once"),
    "2026年": ("2026-12-31", "once"),
    "2024年6月底前": ("2024-06-30", "once"),
    "2025年 2026年": (["2025-12-31", "2026-12-31"], "once"),
    "长期坚持": (None, "ongoing"),
    "每年": (None, "yearly"),
}


def expected_000():
    rows = []
    for action_no, key_no, content, deadline_text, responsible in ROWS_000:
        assert KEY_TASK_ACTION[key_no] == action_no
        deadline, recurrence = DEADLINES[deadline_text]
        rows.append(
            {
                "action": ACTIONS[action_no - 1],
                "key_task": KEY_TASKS[key_no - 1],
                "content": content,
                "deadline_text": deadline_text,
                "deadline": deadline,
                "recurrence": recurrence,
                "responsible": responsible.split("、"),
                "cooperating": [],
            }
        )
    return rows


@pytest.fixture(scope="module")
def seed_000():
    return parse_plan(SEED_000.read_bytes(), SEED_000.name)


def test_seed_000_returns_every_row_of_the_task_list_exactly(seed_000):
    expected = expected_000()
    assert len(expected) == 79
    got = seed_000.as_dicts()
    for n, (g, e) in enumerate(zip(got, expected, strict=False), 1):  # the count is checked below
        assert g == e, f"row {n}"
    assert len(got) == len(expected)


def test_seed_000_year_title_layout_and_no_warnings(seed_000):
    assert seed_000.year == 2024
    assert seed_000.layout == "table"
    assert seed_000.title == "沙坪坝区凤凰镇安全生产治本攻坚三年行动实施方案（2024—2026年）"
    assert seed_000.warnings == []
    assert [t.row for t in seed_000.tasks] == list(range(1, 80))
    assert seed_000.tasks[0].source == "第110行"


def test_seed_000_json_keys(seed_000):
    for task in seed_000.as_dicts():
        assert tuple(task) == JSON_KEYS


def test_seed_000_counts_per_action_and_units(seed_000):
    per_action = {}
    for task in seed_000.tasks:
        per_action[task.action[:2]] = per_action.get(task.action[:2], 0) + 1
    assert per_action == {"一、": 4, "二、": 9, "三、": 6, "四、": 9, "五、": 29, "六、": 9, "七、": 11, "八、": 2}
    assert seed_000.units() == [
        "经发办",
        "应急办",
        "镇安委会有关成员单位",
        "镇安委会办公室",
        "镇安委会",
        "市场监管所",
        "党建办",
        "司法所",
        "财政办",
        "规建办",
    ]


def test_seed_000_prose_part_alone_is_read_as_prose():
    """Without its task table, seed 000's 主要任务 section still yields tasks, split by year."""
    text = SEED_000.read_text(encoding="utf-8")
    text = text[: text.index("沙坪坝区凤凰镇安全生产治本攻坚三年行动重点任务清单")]
    result = parse_plan(text, "000-prose.txt")
    assert result.layout == "prose"
    first = [t.as_dict() for t in result.tasks[:4]]
    assert {t["action"] for t in first} == {"（一）开展重大安全风险源头管控行动"}
    assert {t["key_task"] for t in first} == {"1．强化重大安全风险源头管控。"}
    assert first[1]["content"].startswith("2024年，建立完善各类发展规划的安全风险评估会商机制")
    assert [t["deadline"] for t in first] == [None, "2024-12-31", "2025-12-31", "2026-12-31"]

    def find(prefix):
        return next(t for t in result.tasks if t.content.startswith(prefix))

    assert find("2025—2026年，持续巩固").deadline.as_json() == ["2025-12-31", "2026-12-31"]
    assert find("2024年起，将排查出的").recurrence == "ongoing"
    assert find("摸清重点事故隐患存量，2024年6月底前").deadline.as_json() == "2024-06-30"
    assert find("2024年，基本消除2023年及以前").deadline.as_json() == "2024-12-31"
    # 三、任务分工 and 四、保障措施 are not tasks
    assert not any("保障" in t.action or "组织领导" in t.content for t in result.tasks)


# --- seed 001: prose, "（一）…专题" sections of "一是…二是…" with a closing "（X牵头，…负责）" ---------


@pytest.fixture(scope="module")
def seed_001():
    return parse_plan(SEED_001.read_bytes(), SEED_001.name)


def test_seed_001_sections_and_items(seed_001):
    assert seed_001.layout == "prose"
    assert seed_001.year == 2020  # from the issue date; the plan has no (2020—2022年) range
    assert seed_001.title == "先锋镇安全生产专项整治三年行动工作方案"
    actions = []
    for task in seed_001.tasks:
        if task.action not in actions:
            actions.append(task.action)
    assert actions == [
        "（一）学习贯彻习近平总书记关于安全生产重要论述专题",
        "（二）落实企业安全生产主体责任专题",
        "（三）危险化学品安全整治",
        "（四）非煤矿山安全整治",
        "（五）消防安全整治",
        "（六）交通运输安全整治",
        "（七）建设安全整治",
        "（八）城市运行安全整治",
        "（九）城乡接合部中小微企业专项整治",
        "（十）危险废物等安全整治",
    ]
    counts = [sum(1 for t in seed_001.tasks if t.action == a) for a in actions]
    assert counts == [5, 5, 6, 4, 6, 5, 6, 7, 6, 5]
    assert all(t.key_task == "" for t in seed_001.tasks)
    first = seed_001.tasks[0]
    assert first.content.startswith("一是开展“看、学、讲、谈”活动。各部门、村（社区）")
    assert first.content.endswith("结合本辖区本行业实际研究贯彻落实措施。")
    # the closing annotation is not part of the last item
    assert seed_001.tasks[4].content.endswith("人员全部考取执法证。")
    assert not any("牵头，" in t.content or "分工负责" in t.content for t in seed_001.tasks)


def test_seed_001_division_of_labour(seed_001):
    first = seed_001.tasks[0].as_dict()
    assert first["responsible"] == ["镇应急办"]
    assert first["cooperating"] == [
        "镇党建办",
        "镇党政办",
        "镇企业服务中心",
        "镇经济办",
        "先锋司法所",
        "镇财政办",
        "各行业领域主管部门",
        "各村",
        "各社区",
    ]
    by_action = {t.action[:4]: t for t in seed_001.tasks}
    assert by_action["（六）交"].responsible == ["先锋派出所"]
    # stray blanks inside names ("先锋规资 所", "镇 应急办") are closed up, "等相关部门" dropped
    city = by_action["（八）城"]
    assert city.responsible == ["镇综合执法大队"]
    assert city.cooperating == [
        "镇经济办",
        "先锋派出所",
        "先锋规资所",
        "镇规划建设环保办",
        "镇文化服务中心",
        "镇应急办",
        "先锋市场监管所",
        "各有场镇的村",
        "各社区",
    ]
    # "镇民政和社会事务办" is one unit
    assert "镇民政和社会事务办" in by_action["（五）消"].cooperating
    assert by_action["（九）城"].cooperating[-1] == "绣庄村"


def test_seed_001_inline_deadlines(seed_001):
    by_start = {t.content[:8]: t.as_dict() for t in seed_001.tasks}
    assert by_start["五是进一步夯实安"]["deadline"] == "2022-12-31"
    assert by_start["五是进一步夯实安"]["deadline_text"] == "2022年底"
    hazchem = [t for t in seed_001.tasks if t.action.startswith("（三）")][3].as_dict()
    assert hazchem["deadline"] == ["2020-12-31", "2022-12-31"]
    assert hazchem["deadline_text"] == "2020年底前、2022年底前"
    # a year inside a cited title 《…（2020－2022年）》 does not count; the sentence's own 2022年 does
    fire = [t for t in seed_001.tasks if t.action.startswith("（五）")][0].as_dict()
    assert fire["deadline"] == "2022-12-31"
    # "《产业结构调整指导目录（2019年本）》" is not a deadline
    phase_out = [t for t in seed_001.tasks if t.action.startswith("（九）")][3].as_dict()
    assert phase_out["deadline"] is None and phase_out["recurrence"] is None
    assert "第1条任务（第28行）：未注明完成时间" in seed_001.warnings


# --- seed 003: prose, "（一）…行动" / "1.…" heading lines / one paragraph per task, no units ------


def test_seed_003_actions_key_tasks_and_deadlines():
    result = parse_plan(SEED_003.read_bytes(), SEED_003.name)
    assert result.layout == "prose"
    assert result.year == 2024
    rows = [(t.action, t.key_task, t.deadline.as_json(), t.recurrence) for t in result.tasks]
    assert rows == [
        ("（一）开展安全生产责任落实行动", "1.深入学习贯彻习近平总书记关于安全生产重要论述", None, "yearly"),
        ("（一）开展安全生产责任落实行动", "2.健全完善安全生产责任清单", None, None),
        ("（一）开展安全生产责任落实行动", "3.推动落实企业安全生产主体责任", None, None),
        ("（二）开展生产经营单位主要负责人教育培训行动", "4.组织开展企业主要负责人教育培训", "2024-12-31", "once"),
        ("（三）开展生产经营单位从业人员安全素质能力提升行动", "5.健全从业人员培训长效机制", "2024-12-31", "once"),
        ("（三）开展生产经营单位从业人员安全素质能力提升行动", "6.提升从业人员应急避险能力", None, "yearly"),
        ("（四）开展生产经营单位安全风险隐患排查整治行动", "7.加强重大事故隐患标准体系宣贯", None, None),
        (
            "（四）开展生产经营单位安全风险隐患排查整治行动",
            "8.实施重大事故隐患动态清零",
            None,
            None,
        ),  # "2023年以来" is a baseline
        ("（五）开展安全生产精准执法和帮扶行动", "9.强化专业应急救援支撑保障", None, None),
        ("（六）开展全民安全素质提升行动", "10.加强全民安全生产宣传教育", None, None),
    ]
    assert result.tasks[0].content.startswith(
        "将《深入学习贯彻习近平总书记关于应急管理重要论述》列入年度干部教育培训计划"
    )
    assert result.tasks[3].deadline_text == "年内"
    assert result.tasks[4].deadline_text == "2024年底前"
    assert all(t.responsible == [] and t.cooperating == [] for t in result.tasks)
    assert "第1条任务（第20行）：未注明责任单位" in result.warnings
    # the 主要目标 paragraph ("2024年底前消除…存量") lies outside 主要任务 and yields nothing
    assert not any("存量" in t.content and "主要目标" in t.action for t in result.tasks)
