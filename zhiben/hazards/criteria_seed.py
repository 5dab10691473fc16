"""The national 重大事故隐患判定标准 list (FACTS.md §3) and, for 工贸 (应急管理部令第10号), its
management items and the special items for 粉尘涉爆, 液氨制冷 and 有限空间 — paraphrased in our words.
Administrators import other catalogues from Excel (`python manage.py import_criteria`)."""

STANDARDS = [
    # code, version, name, doc number, issuer, effective date, industries
    (
        "gongmao",
        "2023",
        "工贸企业重大事故隐患判定标准",
        "应急管理部令第10号",
        "应急管理部",
        "2023-05-15",
        ["metallurgy", "nonferrous", "building_materials", "machinery", "light", "textile", "tobacco", "commerce"],
    ),
    ("coal", "2021", "煤矿重大事故隐患判定标准", "应急管理部令第4号", "应急管理部", "2021-01-01", ["mining"]),
    (
        "metal-mine",
        "2022",
        "金属非金属矿山重大事故隐患判定标准",
        "矿安〔2022〕88号",
        "国家矿山安全监察局",
        "2022-09-01",
        ["mining"],
    ),
    (
        "hazchem",
        "2017",
        "化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）",
        "安监总管三〔2017〕121号",
        "原国家安全监管总局",
        "2017-11-13",
        ["hazchem"],
    ),
    (
        "fireworks",
        "2017",
        "烟花爆竹生产经营单位重大生产安全事故隐患判定标准（试行）",
        "安监总管三〔2017〕121号",
        "原国家安全监管总局",
        "2017-11-13",
        ["fireworks"],
    ),
    (
        "construction",
        "2022",
        "房屋市政工程生产安全重大事故隐患判定标准（2022版）",
        "建质规〔2022〕2号",
        "住房和城乡建设部",
        "2022-04-19",
        ["construction"],
    ),
    ("gas", "2023", "城镇燃气经营安全重大隐患判定标准", "", "住房和城乡建设部", None, ["gas"]),
    (
        "road-transport",
        "2023",
        "道路运输企业和城市客运企业安全生产重大事故隐患判定标准（试行）",
        "",
        "交通运输部",
        "2023-10-01",
        ["transport"],
    ),
    (
        "explosives",
        "2023",
        "民用爆炸物品行业重大事故隐患判定标准（试行）",
        "工信厅安全函〔2023〕337号",
        "工业和信息化部",
        "2023-12-01",
        ["explosives"],
    ),
    (
        "fire",
        "2025",
        "重大火灾隐患判定规则",
        "GB 35181-2025",
        "国家市场监督管理总局、国家标准化管理委员会",
        "2025-11-01",
        ["fire"],
    ),
]

# 工贸 (应急管理部令第10号): part → [(number, paraphrased text)]
GONGMAO_PARTS = [
    (
        "一",
        "管理类（第三条）",
        [
            ("第三条第（一）项", "未对承包、承租单位的安全生产工作统一协调、管理，或者未定期进行安全检查。"),
            ("第三条第（二）项", "特种作业人员未按规定经专门的安全作业培训并取得相应资格上岗作业。"),
            ("第三条第（三）项", "金属冶炼企业主要负责人、安全生产管理人员未按规定经考核合格。"),
        ],
    ),
    (
        "二",
        "专项类：粉尘涉爆（第十一条）",
        [
            (
                "第十一条第（一）项",
                "粉尘爆炸危险场所设置在非框架结构的多层建（构）筑物内，或者与人员密集场所安全距离不足。",
            ),
            (
                "第十一条第（二）项",
                "不同类别的可燃性粉尘、可燃性粉尘与可燃气体等易加剧爆炸危险的介质共用一套除尘系统，或者不同建（构）筑物、不同防火分区共用一套除尘系统、除尘系统互联互通。",
            ),
            ("第十一条第（三）项", "干式除尘系统未采取泄爆、惰化、抑爆等任一种控爆措施。"),
            ("第十一条第（四）项", "铝镁等金属粉尘除尘系统采用正压吹送粉尘，且未采取火花探测消除等防范点燃源措施。"),
            ("第十一条第（五）项", "除尘系统未采用锁气卸灰装置，或者未设置火花探测消除等防范点燃源措施。"),
            ("第十一条第（六）项", "粉尘爆炸危险场所的电气设备、设施不符合防爆要求。"),
            ("第十一条第（七）项", "铝镁等金属粉尘湿式除尘系统未采取防止氢气积聚措施。"),
            ("第十一条第（八）项", "未落实粉尘清理制度，造成作业现场积尘严重。"),
        ],
    ),
    (
        "三",
        "专项类：液氨制冷（第十二条）",
        [
            ("第十二条第（一）项", "包装、分割、产品整理场所的空调系统采用氨直接蒸发制冷。"),
            ("第十二条第（二）项", "快速冻结装置未设置在单独的作业间内。"),
            ("第十二条第（三）项", "快速冻结装置所在作业间作业人员数量超过9人。"),
        ],
    ),
    (
        "四",
        "专项类：有限空间作业（第十三条）",
        [
            ("第十三条第（一）项", "未对有限空间进行辨识、建立安全管理台账。"),
            ("第十三条第（二）项", "未在有限空间作业场所设置明显的安全警示标志。"),
            ("第十三条第（三）项", "有限空间作业未履行审批手续。"),
            ("第十三条第（四）项", "未落实“先通风、再检测、后作业”要求，或者作业人员未正确佩戴使用防护用品。"),
        ],
    ),
]


def seed_criteria(Standard, Part, Item, Industry):
    from datetime import date

    industries = {i.code: i for i in Industry.objects.all()}
    for code, version, name, number, issuer, effective, domains in STANDARDS:
        standard, _ = Standard.objects.get_or_create(
            code=code,
            version=version,
            defaults={
                "name": name,
                "doc_number": number,
                "issuer": issuer,
                "effective_date": date.fromisoformat(effective) if effective else None,
            },
        )
        standard.industries.set([industries[d] for d in domains if d in industries])
    gongmao = Standard.objects.get(code="gongmao", version="2023")
    sort = 0
    for p_sort, (number, title, items) in enumerate(GONGMAO_PARTS, start=1):
        part, _ = Part.objects.get_or_create(standard=gongmao, number=number, defaults={"title": title, "sort": p_sort})
        for item_number, text in items:
            sort += 1
            Item.objects.get_or_create(
                standard=gongmao, number=item_number, defaults={"part": part, "text": text, "sort": sort}
            )
