"""Ledger import: header → field mapping over many real-world layouts (one test per layout).

The first ten are the column layouts of the visible sample set (public hazard-ledger systems);
the rest are layouts common in practice: construction-site inspection, 消防, 九小场所, 重大隐患
挂牌督办 with "五落实", enterprise self-inspection, government inspection with tick columns,
generic two-row headers, headers with line breaks, road, gas, combined "X及Y" cells.
"""

import random

import pytest

from zhiben.hazards.ledger import FIELDS, header_candidates, parse_ledger

from .ledger_fixtures import biff8_xls, csv_bytes, ledger_grid, ledger_xlsx, xlsx_bytes

TITLE = ["XX公司隐患排查治理台账"]

LAYOUTS = {
    "01-ningbo-major-five-measures": (
        ["序号", "地区", "行业与领域", "单位名称", "地址", "隐患内容", "落实治理目标任务", "落实治理经费物资", "落实治理机构人员",
         "落实治理时间要求", "落实安全措施应急预案", "时间"],
        [[1, "海曙区", "危险化学品", "甲化工有限公司", "XX路1号", "储罐区可燃气体报警器失效", "是", "是", "是", "否", "是", "2024-03"]],
        {"序号": "seq", "地区": "region", "行业与领域": "industry", "单位名称": "enterprise", "地址": "address",
         "隐患内容": "description", "落实治理目标任务": "other", "落实治理经费物资": "funds", "落实治理机构人员": "other",
         "落实治理时间要求": "other", "落实安全措施应急预案": "other", "时间": "found_date"},
    ),
    "02-pipeline-tick-columns": (
        ["序号", "管道名称", "企业名称", "隐患描述", "隐患类别", "录入时间", "录入方式/自报", "录入方式/代报", "治理状态/未治理", "治理状态/已治理"],
        [[1, "甬沪线", "管道公司", "阀室警示标志缺失", "管理缺陷", "2024-04-01", "√", "", "", "√"]],
        {"序号": "seq", "管道名称": "other", "企业名称": "enterprise", "隐患描述": "description", "隐患类别": "category",
         "录入时间": "found_date", "录入方式/自报": "source_channel", "录入方式/代报": "other",
         "治理状态/未治理": "status", "治理状态/已治理": "other"},
    ),
    "03-enterprise-governance-recheck": (
        ["序号", "排查时间", "排查人", "隐患部位", "隐患名称", "隐患等级", "治理措施", "完成时限", "责任部门", "责任人", "复查时间", "复查人", "复查结果"],
        [[1, "2024-05-06", "甲", "锅炉房", "安全阀未校验", "一般", "送检", "2024-05-20", "设备部", "乙", "2024-05-21", "丙", "合格"]],
        {"序号": "seq", "排查时间": "found_date", "排查人": "found_by", "隐患部位": "address", "隐患名称": "description",
         "隐患等级": "level", "治理措施": "measures", "完成时限": "deadline", "责任部门": "other", "责任人": "responsible_person",
         "复查时间": "closed_date", "复查人": "verified_by", "复查结果": "status"},
    ),
    "04-combined-cells-supervised": (
        ["检查地点存在问题及隐患", "隐患等级", "隐患类型", "排查日期", "排查人员", "整改措施", "整改时限", "整改金钱", "整改单位及责任人",
         "完成情况及验收人", "督办单位及人员", "销号日期"],
        [["2号仓库消防通道被货物占用", "一般", "物的不安全状态", "2024-05-06", "甲", "清理", "2024-05-07", "0", "仓储部 乙", "已完成 丙",
          "安监站 丁", "2024-05-08"]],
        {"检查地点存在问题及隐患": "description", "隐患等级": "level", "隐患类型": "category", "排查日期": "found_date",
         "排查人员": "found_by", "整改措施": "measures", "整改时限": "deadline", "整改金钱": "funds",
         "整改单位及责任人": "responsible_person", "完成情况及验收人": "status", "督办单位及人员": "other", "销号日期": "closed_date"},
    ),
    "05-district-listed": (
        ["所在镇", "企业名称", "隐患名称", "挂牌时间", "隐患类别", "整改完成时间", "验收时间", "上报人", "状态"],
        [["凤凰镇", "A公司", "储罐区防火堤破损", "2024-01-02", "物的不安全状态", "2024-02-01", "2024-02-05", "甲", "已销号"]],
        {"所在镇": "region", "企业名称": "enterprise", "隐患名称": "description", "挂牌时间": "found_date", "隐患类别": "category",
         "整改完成时间": "rectified_date", "验收时间": "closed_date", "上报人": "found_by", "状态": "status"},
    ),
    "06-construction-hse-register": (
        ["序号", "检查时间", "责任单位", "责任人", "区域", "检查项", "问题描述", "采取措施", "检查人", "整改期限", "整改时间", "处罚金额", "状态",
         "整改前图片", "整改后图片"],
        [[1, "2024-06-01", "钢结构分包", "甲", "A区", "高处作业", "未系安全带", "停工教育", "乙", "2024-06-01", "2024-06-01", 200, "已整改", "", ""]],
        {"序号": "seq", "检查时间": "found_date", "责任单位": "other", "责任人": "responsible_person", "区域": "address",
         "检查项": "category", "问题描述": "description", "采取措施": "measures", "检查人": "found_by", "整改期限": "deadline",
         "整改时间": "rectified_date", "处罚金额": "other", "状态": "status", "整改前图片": "other", "整改后图片": "other"},
    ),
    "07-railway-level-in-type-column": (
        ["序号", "检查时间", "检查单位", "检查人", "检查项目", "检查工点", "隐患问题描述", "隐患类型", "隐患等级", "整改要求（措施）", "整改期限",
         "整改责任单位/建设", "整改责任单位/设计", "整改责任单位/施工", "整改责任单位/监理", "整改责任人", "整改完成日期", "销号情况"],
        [[1, "2025-01-03", "沿海建指", "[已略]", "QFSG1标段", "皇马隧道LDK109+740-830明挖段", "管棚导向墙未做两侧基础下预埋的钢管桩", "一般", 3,
          "限期整改，要求施工单位于1月10日前完成整改", "2025-01-10", "", "", "中铁三局钦防增建二线项目部", "", "[已略]", "2025-01-10", "已整改"]],
        {"序号": "seq", "检查时间": "found_date", "检查单位": "other", "检查人": "found_by", "检查项目": "other", "检查工点": "address",
         "隐患问题描述": "description", "隐患类型": "level", "隐患等级": "other", "整改要求（措施）": "measures", "整改期限": "deadline",
         "整改责任单位/建设": "other", "整改责任单位/设计": "other", "整改责任单位/施工": "other", "整改责任单位/监理": "other",
         "整改责任人": "responsible_person", "整改完成日期": "rectified_date", "销号情况": "status"},
    ),
    "08-power-cable": (
        ["隐患编号", "电压等级", "隐患线路名称", "电缆", "隐患地址", "隐患设备类型", "隐患设备", "处置状态", "发现班组", "发现人", "发现方式",
         "发现日期", "隐患原单位", "隐患源联系人", "隐患联系电话", "隐患部位", "隐患类型", "隐患等级", "隐患原因", "当前节点", "当前处理人"],
        [["YH-001", "10kV", "城东线", "YJV22", "XX路", "电缆井", "井盖", "处理中", "运维一班", "甲", "巡视", "2024-05-01", "供电所", "乙",
          "138", "井盖", "外力破坏", "一般", "车辆碾压", "审核", "丙"]],
        {"隐患编号": "seq", "电压等级": "other", "隐患线路名称": "other", "电缆": "other", "隐患地址": "address", "隐患设备类型": "other",
         "隐患设备": "other", "处置状态": "status", "发现班组": "other", "发现人": "found_by", "发现方式": "source_channel",
         "发现日期": "found_date", "隐患原单位": "enterprise", "隐患源联系人": "other", "隐患联系电话": "other", "隐患部位": "other",
         "隐患类型": "category", "隐患等级": "level", "隐患原因": "other", "当前节点": "other", "当前处理人": "responsible_person"},
    ),
    "09-standardisation-record": (
        ["存在问题", "检查人", "检查时间", "隐患类型", "隐患所在区域／部门", "隐患等级", "整改措施（包括工程技术措施、管理措施、教育措施、防护措施、应急措施）",
         "整改负责人", "要求整改日期", "治理方案", "验收部门", "验收人", "验收时间"],
        [["配电柜前无绝缘垫", "甲", "2024-05-06", "物的不安全状态", "配电房", "一般", "铺设绝缘垫", "乙", "2024-05-10", "采购", "安环部", "丙", "2024-05-11"]],
        {"存在问题": "description", "检查人": "found_by", "检查时间": "found_date", "隐患类型": "category", "隐患所在区域／部门": "address",
         "隐患等级": "level", "整改措施（包括工程技术措施、管理措施、教育措施、防护措施、应急措施）": "measures", "整改负责人": "responsible_person",
         "要求整改日期": "deadline", "治理方案": "other", "验收部门": "other", "验收人": "verified_by", "验收时间": "closed_date"},
    ),
    "10-district-general": (
        ["所在镇", "检查企业名称", "检查人员", "检查时间", "执法文书", "是否企业上报整改信息", "审核状态"],
        [["凤凰镇", "B公司", "甲、乙", "2024-05-06", "责令限期整改指令书", "是", "已审核"]],
        {"所在镇": "region", "检查企业名称": "enterprise", "检查人员": "found_by", "检查时间": "found_date", "执法文书": "source_channel",
         "是否企业上报整改信息": "other", "审核状态": "status"},
    ),
    "construction-site-daily": (
        ["序号", "检查日期", "检查部位", "隐患内容", "隐患类别", "隐患级别", "整改措施", "整改责任人", "整改期限", "整改完成情况", "复查人", "复查日期", "备注"],
        [[1, "2024.5.6", "3#楼5层临边", "临边防护栏杆缺失", "物的不安全状态", "一般", "立即恢复防护栏杆", "张工", "2024.5.7", "已整改", "李工", "2024.5.8", ""]],
        {"序号": "seq", "检查日期": "found_date", "检查部位": "address", "隐患内容": "description", "隐患类别": "category",
         "隐患级别": "level", "整改措施": "measures", "整改责任人": "responsible_person", "整改期限": "deadline",
         "整改完成情况": "status", "复查人": "verified_by", "复查日期": "closed_date", "备注": "remarks"},
    ),
    "fire-safety": (
        ["序号", "单位名称", "单位地址", "所属街道", "检查时间", "检查人员", "火灾隐患", "整改要求", "整改期限", "是否整改", "复查时间", "备注"],
        [[1, "XX超市", "XX路12号", "城关街道", "2024年3月5日", "王某、李某", "疏散通道堆放杂物", "立即清理", "3天内", "是", "2024年3月8日", ""]],
        {"序号": "seq", "单位名称": "enterprise", "单位地址": "address", "所属街道": "region", "检查时间": "found_date",
         "检查人员": "found_by", "火灾隐患": "description", "整改要求": "measures", "整改期限": "deadline", "是否整改": "status",
         "复查时间": "closed_date", "备注": "remarks"},
    ),
    "nine-small-places": (
        ["序号", "场所名称", "场所类型", "负责人", "联系电话", "地址", "所属社区", "存在问题", "整改措施", "整改时限", "整改情况", "检查人", "检查日期"],
        [[1, "老王小吃店", "小餐饮", "王某", "138****0000", "幸福路3号", "幸福社区", "液化气钢瓶与灶具同室", "钢瓶移出操作间", "7日内", "整改中", "网格员甲", "2024/4/2"]],
        {"序号": "seq", "场所名称": "enterprise", "场所类型": "industry", "负责人": "responsible_person", "联系电话": "other",
         "地址": "address", "所属社区": "region", "存在问题": "description", "整改措施": "measures", "整改时限": "deadline",
         "整改情况": "status", "检查人": "found_by", "检查日期": "found_date"},
    ),
    "major-hazard-listed-five-measures": (
        ["序号", "所属镇街", "企业名称", "行业领域", "重大事故隐患内容", "判定依据", "挂牌督办/督办级别", "挂牌督办/督办单位", "挂牌督办/挂牌时间",
         "五落实/责任", "五落实/措施", "五落实/资金（万元）", "五落实/时限", "五落实/预案", "整改情况/整改状态", "整改情况/完成时间",
         "验收销号/验收人", "验收销号/销号时间", "备注"],
        [[1, "凤凰镇", "凤凰化工有限公司", "危险化学品", "涉及重点监管危险化工工艺的装置未实现自动化控制", "应急管理部令第10号", "区级", "区安委办",
          "2024-03-01", "张某", "增设自动化控制系统", "50", "2024年9月底前", "已制定", "整改中", "", "", "", ""]],
        {"序号": "seq", "所属镇街": "region", "企业名称": "enterprise", "行业领域": "industry", "重大事故隐患内容": "description",
         "判定依据": "other", "挂牌督办/督办级别": "other", "挂牌督办/督办单位": "other", "挂牌督办/挂牌时间": "found_date",
         "五落实/责任": "responsible_person", "五落实/措施": "measures", "五落实/资金（万元）": "funds", "五落实/时限": "deadline",
         "五落实/预案": "other", "整改情况/整改状态": "status", "整改情况/完成时间": "rectified_date", "验收销号/验收人": "verified_by",
         "验收销号/销号时间": "closed_date", "备注": "remarks"},
    ),
    "enterprise-self-inspection": (
        ["发现时间", "隐患描述", "隐患级别（一般/重大）", "整改措施", "资金（元）", "整改责任人", "计划完成时间", "实际完成时间", "验收人", "验收日期",
         "整改前照片", "整改后照片"],
        [["2024.5.1", "配电箱门未关闭", "一般隐患", "关闭箱门并上锁", "0", "赵某", "5月底前", "2024年5月3日", "钱某", "2024/5/4", "", ""]],
        {"发现时间": "found_date", "隐患描述": "description", "隐患级别（一般/重大）": "level", "整改措施": "measures", "资金（元）": "funds",
         "整改责任人": "responsible_person", "计划完成时间": "deadline", "实际完成时间": "rectified_date", "验收人": "verified_by",
         "验收日期": "closed_date", "整改前照片": "other", "整改后照片": "other"},
    ),
    "inspection-tick-level": (
        ["序号", "被检查单位", "检查时间", "检查组", "隐患问题", "隐患等级/一般", "隐患等级/重大", "整改意见", "整改时限", "整改责任人", "是否闭环", "备注"],
        [[1, "XX机械厂", "2024-06-03", "第一检查组", "砂轮机防护罩缺失", "√", "", "立即整改", "2024-06-10", "厂长", "否", ""]],
        {"序号": "seq", "被检查单位": "enterprise", "检查时间": "found_date", "检查组": "found_by", "隐患问题": "description",
         "隐患等级/一般": "level", "隐患等级/重大": "other", "整改意见": "measures", "整改时限": "deadline",
         "整改责任人": "responsible_person", "是否闭环": "status", "备注": "remarks"},
    ),
    "generic-children-under-parents": (
        ["序号", "企业名称", "隐患描述", "排查情况/时间", "排查情况/人员", "整改情况/措施", "整改情况/责任人", "整改情况/时限", "整改情况/完成时间",
         "验收情况/人员", "验收情况/时间"],
        [[1, "XX厂", "叉车司机无证驾驶", "2024-01-05", "甲", "停止作业，送培训取证", "乙", "2024-02-05", "2024-02-01", "丙", "2024-02-03"]],
        {"序号": "seq", "企业名称": "enterprise", "隐患描述": "description", "排查情况/时间": "found_date", "排查情况/人员": "found_by",
         "整改情况/措施": "measures", "整改情况/责任人": "responsible_person", "整改情况/时限": "deadline",
         "整改情况/完成时间": "rectified_date", "验收情况/人员": "verified_by", "验收情况/时间": "closed_date"},
    ),
    "line-breaks-and-spaces": (
        ["序\n号", "隐 患\n内 容", "隐患\n部位", "整改\n期限", "责 任 人", "整改资金\n（万元）", "整改\n情况"],
        [[1, "消防水泵接合器无标识", "厂区东门", "2024/5/30", "周某", "0.5", "已完成"]],
        {"序\n号": "seq", "隐 患\n内 容": "description", "隐患\n部位": "address", "整改\n期限": "deadline", "责 任 人": "responsible_person",
         "整改资金\n（万元）": "funds", "整改\n情况": "status"},
    ),
    "road-traffic": (
        ["序号", "路段名称", "桩号", "隐患类型", "隐患描述", "排查时间", "责任单位", "整改措施", "整改时限", "整改进展"],
        [[1, "G318线", "K12+300", "交通标志缺失", "急弯处无警示标志", "2024-04-01", "公路段", "增设标志", "2024-05-31", "已完成"]],
        {"序号": "seq", "路段名称": "address", "桩号": "other", "隐患类型": "category", "隐患描述": "description", "排查时间": "found_date",
         "责任单位": "other", "整改措施": "measures", "整改时限": "deadline", "整改进展": "status"},
    ),
    "gas-users": (
        ["序号", "用户名称", "用户地址", "用户类型", "检查日期", "安检员", "隐患内容", "整改建议", "整改情况", "复检日期", "备注"],
        [[1, "张三餐馆", "解放路8号", "商业用户", "2024-03-12", "安检员A", "未安装燃气泄漏报警器", "加装报警器", "已整改", "2024-03-20", ""]],
        {"序号": "seq", "用户名称": "enterprise", "用户地址": "address", "用户类型": "other", "检查日期": "found_date", "安检员": "found_by",
         "隐患内容": "description", "整改建议": "measures", "整改情况": "status", "复检日期": "closed_date", "备注": "remarks"},
    ),
    "combined-and-bracketed": (
        ["序号", "单位名称", "隐患问题及整改要求", "责任人及联系方式", "整改完成时限", "整改到位情况", "隐患来源（自查/督查/执法/举报）", "是否重大隐患"],
        [[1, "丁公司", "消防通道堵塞，立即清理", "丁某 139", "2024-05-20", "已整改", "督查", "否"]],
        {"序号": "seq", "单位名称": "enterprise", "隐患问题及整改要求": "description", "责任人及联系方式": "responsible_person",
         "整改完成时限": "deadline", "整改到位情况": "status", "隐患来源（自查/督查/执法/举报）": "source_channel", "是否重大隐患": "level"},
    ),
    "national-template-days-deadline": (
        ["序号", "排查日期", "排查类型", "隐患所在部位", "隐患描述", "隐患级别", "隐患类别", "整改措施", "整改资金（万元）", "整改责任部门", "整改责任人",
         "整改期限（天）", "整改完成时间", "验收人", "验收时间", "备注"],
        [[1, "2024-05-01", "日常检查", "A车间", "防爆电机接线盒螺栓缺失", "一般", "物的不安全状态", "补齐螺栓", "0.1", "设备部", "张", 7,
          "2024-05-05", "李", "2024-05-06", ""]],
        {"序号": "seq", "排查日期": "found_date", "排查类型": "source_channel", "隐患所在部位": "address", "隐患描述": "description",
         "隐患级别": "level", "隐患类别": "category", "整改措施": "measures", "整改资金（万元）": "funds", "整改责任部门": "other",
         "整改责任人": "responsible_person", "整改期限（天）": "deadline", "整改完成时间": "rectified_date", "验收人": "verified_by",
         "验收时间": "closed_date", "备注": "remarks"},
    ),
    "provincial-major-hazards": (
        ["序号", "市", "县（区）", "企业名称", "行业", "重大事故隐患名称", "隐患类别", "排查时间", "整改目标和任务", "治理措施", "治理资金（万元）",
         "治理时限", "责任单位", "责任人", "整改进度", "是否挂牌督办", "督办单位", "备注"],
        [[1, "重庆市", "沙坪坝区", "甲化工", "化工", "液氯储罐区未设置泄漏报警", "物的不安全状态", "2024-01-01", "年底前完成", "增设报警", "5",
          "2024-12-31", "生产部", "王", "整改中", "是", "区安委办", ""]],
        {"序号": "seq", "市": "other", "县（区）": "region", "企业名称": "enterprise", "行业": "industry", "重大事故隐患名称": "description",
         "隐患类别": "category", "排查时间": "found_date", "整改目标和任务": "other", "治理措施": "measures", "治理资金（万元）": "funds",
         "治理时限": "deadline", "责任单位": "other", "责任人": "responsible_person", "整改进度": "status", "是否挂牌督办": "other",
         "督办单位": "other", "备注": "remarks"},
    ),
    "construction-notice-receipts": (
        ["序号", "工程名称", "施工单位", "检查日期", "检查人", "隐患部位", "存在问题", "整改要求", "整改期限", "整改情况", "复查人", "复查日期"],
        [[1, "XX小区二期", "XX建工集团有限公司", "2024-05-01", "质安站甲", "2#楼外架", "连墙件缺失", "按方案补设", "2024-05-03", "已整改", "乙",
          "2024-05-04"]],
        {"序号": "seq", "工程名称": "other", "施工单位": "enterprise", "检查日期": "found_date", "检查人": "found_by", "隐患部位": "address",
         "存在问题": "description", "整改要求": "measures", "整改期限": "deadline", "整改情况": "status", "复查人": "verified_by",
         "复查日期": "closed_date"},
    ),
    "team-daily-check": (
        ["日期", "检查部位", "检查内容", "存在问题", "处理措施", "处理结果", "检查人", "班组长签字"],
        [["2024-05-01", "1#反应釜", "温度、压力", "压力表超期未检", "更换压力表", "已处理", "甲", ""]],
        {"日期": "found_date", "检查部位": "address", "检查内容": "other", "存在问题": "description", "处理措施": "measures",
         "处理结果": "status", "检查人": "found_by", "班组长签字": "other"},
    ),
    "road-two-region-levels": (
        ["序号", "县（市、区）", "乡镇（街道）", "道路名称", "隐患路段位置", "隐患类型", "隐患描述", "排查时间", "整改责任单位", "整改措施", "整改时限", "整改情况"],
        [[1, "X县", "Y镇", "Z路", "K1+200", "临水临崖", "无防护栏", "2024-05-01", "交通局", "增设护栏", "2024-06-01", "完成"]],
        {"序号": "seq", "县（市、区）": "other", "乡镇（街道）": "region", "道路名称": "other", "隐患路段位置": "address", "隐患类型": "category",
         "隐患描述": "description", "排查时间": "found_date", "整改责任单位": "other", "整改措施": "measures", "整改时限": "deadline",
         "整改情况": "status"},
    ),
    "special-equipment": (
        ["序号", "使用单位", "设备名称", "设备类别", "注册代码", "隐患内容", "整改期限", "整改情况"],
        [[1, "甲公司", "锅炉", "承压", "123", "安全阀过期", "2024-06-01", "未整改"]],
        {"序号": "seq", "使用单位": "enterprise", "设备名称": "other", "设备类别": "other", "注册代码": "other", "隐患内容": "description",
         "整改期限": "deadline", "整改情况": "status"},
    ),
    "duplicate-and-unknown-headers": (
        ["编号", "企业", "隐患内容", "备注", "备注2", "责任人", "负责人", "自定义列"],
        [[1, "戊公司", "叉车无证", "无", "", "甲", "乙", "x"]],
        {"编号": "seq", "企业": "enterprise", "隐患内容": "description", "备注": "remarks", "备注2": "other",
         "责任人": "responsible_person", "负责人": "other", "自定义列": None},
    ),
}


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_it_maps_the_layout(name):
    headers, rows, expected = LAYOUTS[name]
    result = parse_ledger(ledger_xlsx(headers, rows, titles=TITLE), f"{name}.xlsx")
    assert result.mapping == expected
    assert len(result.rows) == len(rows)
    assert set(result.mapping.values()) <= set(FIELDS) | {None}


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_it_never_gives_a_field_to_two_columns(name):
    headers, rows, _ = LAYOUTS[name]
    fields = [f for f in parse_ledger(ledger_xlsx(headers, rows), "x.xlsx").mapping.values() if f not in (None, "other")]
    assert len(fields) == len(set(fields))


def test_a_slash_inside_a_single_header_cell_is_part_of_the_name():
    data = xlsx_bytes([["存在问题", "隐患所在区域/部门", "整改负责人"], ["无防护罩", "机加车间", "甲"]])
    assert parse_ledger(data, "x.xlsx").mapping == {"存在问题": "description", "隐患所在区域/部门": "address", "整改负责人": "responsible_person"}


def test_values_decide_an_ambiguous_area_column():
    towns = [[1, "青木关镇", "甲公司", "问题一"], [2, "凤凰镇", "乙公司", "问题二"]]
    places = [[1, "A区仓库", "甲公司", "问题一"], [2, "B区车间", "乙公司", "问题二"]]
    headers = ["序号", "区域", "单位名称", "存在问题"]
    assert parse_ledger(ledger_xlsx(headers, towns), "x.xlsx").mapping["区域"] == "region"
    assert parse_ledger(ledger_xlsx(headers, places), "x.xlsx").mapping["区域"] == "address"


def test_a_bare_time_column_is_the_found_date_and_a_long_text_column_without_a_known_name_is_the_description():
    data = ledger_xlsx(["序号", "单位", "排查出的情况记录", "时间"],
                       [[1, "甲公司", "二楼配电间门口堆放大量纸箱，堵塞通道", "2024-05-01"], [2, "乙公司", "消防水池液位计损坏，无法观察水位", "2024-05-02"]])
    mapping = parse_ledger(data, "x.xlsx").mapping
    assert mapping["时间"] == "found_date"
    assert mapping["排查出的情况记录"] == "description"


@pytest.mark.parametrize("header, field", [
    ("隐患内容", "description"), ("存在的安全隐患", "description"), ("检查发现问题", "description"), ("隐患简要描述", "description"),
    ("*隐患描述", "description"), ("1、隐患描述", "description"), ("隐患描述（具体部位及存在问题）", "description"),
    ("整改措施", "measures"), ("防范措施", "measures"), ("整改方案", "measures"),
    ("整改责任人（签字）", "responsible_person"), ("包保责任人", "responsible_person"),
    ("整改期限", "deadline"), ("计划整改完成时间", "deadline"), ("整改截止日期", "deadline"), ("整改时间要求", "deadline"),
    ("实际整改完成时间", "rectified_date"), ("完成日期", "rectified_date"),
    ("验收人", "verified_by"), ("复查人员", "verified_by"), ("整改验收人", "verified_by"),
    ("销号时间", "closed_date"), ("闭环时间", "closed_date"),
    ("排查时间", "found_date"), ("发现隐患时间", "found_date"), ("上报日期", "found_date"),
    ("排查人", "found_by"), ("检查组成员", "found_by"),
    ("企业（单位）名称", "enterprise"), ("被检查单位名称", "enterprise"), ("生产经营单位", "enterprise"),
    ("隐患部位", "address"), ("具体位置", "address"),
    ("所属镇（街道）", "region"), ("村（社区）", "region"), ("乡镇", "region"),
    ("所属行业", "industry"), ("行业领域", "industry"),
    ("隐患级别", "level"), ("一般/重大", "level"), ("是否重大隐患", "level"),
    ("隐患类别", "category"), ("隐患分类", "category"),
    ("整改资金（万元）", "funds"), ("投入资金", "funds"),
    ("隐患来源", "source_channel"), ("检查方式", "source_channel"), ("发现渠道", "source_channel"),
    ("整改状态", "status"), ("是否整改", "status"), ("整改完成情况", "status"), ("是否按期完成", "status"),
    ("备注", "remarks"), ("序号", "seq"), ("No.", "seq"),
    ("整改前照片", "other"), ("现场图片", "other"), ("责任人签字", "other"), ("联系电话", "other"), ("风险等级", "other"),
    ("主要负责人", "other"), ("统一社会信用代码", "other"), ("判定依据", "other"), ("行业主管部门", "other"),
])
def test_header_words(header, field):
    candidates = header_candidates(header)
    assert max(candidates, key=candidates.get) == field


@pytest.mark.parametrize("name", [n for n, (h, _, _) in LAYOUTS.items() if any("/" in x for x in h)])
def test_parent_child_written_into_one_cell_maps_like_a_merged_two_row_header(name):
    headers, rows, expected = LAYOUTS[name]
    result = parse_ledger(xlsx_bytes([headers] + [list(r) for r in rows]), "flat.xlsx")
    assert result.mapping == expected


def test_a_header_without_data_rows_still_maps():
    result = parse_ledger(ledger_xlsx(["序号", "隐患内容", "整改情况/整改措施", "整改情况/完成时限"], [], titles=TITLE), "empty.xlsx")
    assert result.mapping == {"序号": "seq", "隐患内容": "description", "整改情况/整改措施": "measures", "整改情况/完成时限": "deadline"}
    assert result.rows == [] and result.errors == []


def _break_line(name, rnd):
    """A child name as people type it in Excel: a line break in the middle, or spaces between characters."""
    *parents, leaf = name.split("/") if "（" not in name else (name,)
    if len(leaf) >= 4 and rnd.random() < 0.4:
        leaf = leaf[:len(leaf) // 2] + "\n" + leaf[len(leaf) // 2:]
    elif len(leaf) <= 3 and rnd.random() < 0.4:
        leaf = " ".join(leaf)
    return "/".join([*parents, leaf])


@pytest.mark.parametrize("kind", ["xlsx", "xls", "csv"])
@pytest.mark.parametrize("name", list(LAYOUTS))
def test_the_mapping_survives_real_world_noise(name, kind):
    """Shuffled columns, broken header lines, titles, a numbering row, notes, blank rows, a table away
    from A1, and the file kind: the mapping stays the same."""
    rnd = random.Random(f"{name}-{kind}")
    headers, rows, expected = LAYOUTS[name]
    order = list(range(len(headers)))
    if not any("/" in h for h in headers) and name not in ("08-power-cable", "duplicate-and-unknown-headers"):
        rnd.shuffle(order)  # (08 and the duplicates have ties that the column order settles)
    names = [_break_line(headers[i], rnd) for i in order]
    data = [[row[i] if i < len(row) else None for i in order] for row in rows] * 2
    data.insert(1, [None] * len(headers))
    grid, merges = ledger_grid(names, data, titles=["XX公司隐患排查治理台账", "填报单位：XX公司    填报日期：2024年5月31日"],
                               numbering=rnd.random() < 0.5, footers=["注：本表每月报送。", "填表人：      审核人："])
    grid = [[None, None] + row for row in grid]
    merges = [(r0, c0 + 2, r1, c1 + 2) for r0, c0, r1, c1 in merges]
    data_bytes = {"xlsx": lambda: xlsx_bytes(grid, merges), "xls": lambda: biff8_xls(grid, merges), "csv": lambda: csv_bytes(grid)}[kind]()
    result = parse_ledger(data_bytes, f"noisy.{kind}")
    assert result.mapping == {names[k]: expected[headers[i]] for k, i in enumerate(order)}
    assert len(result.rows) == 2 * len(rows)
