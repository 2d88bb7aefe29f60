"""What a new installation's knowledge base starts with: the synonym groups,
the words citizens and clerks use for the same thing (the county admin edits
them in the admin site). Installed by a data migration, and again by the demo
after a reset."""

from __future__ import annotations

SYNONYM_GROUPS = [
    "医保 = 医疗保险 = 基本医疗保险",
    "社保 = 社会保险",
    "养老保险 = 养老金 = 退休金",
    "城乡居民养老保险 = 居民养老保险 = 城乡居保",
    "职工养老保险 = 企业职工基本养老保险",
    "低保 = 最低生活保障",
    "特困 = 特困人员 = 五保 = 特困供养",
    "户口 = 户籍",
    "迁户口 = 户口迁移 = 户籍迁移",
    "身份证 = 居民身份证",
    "独生子女 = 独生子女父母光荣证 = 独生子女证",
    "计生 = 计划生育",
    "异地就医 = 跨省就医 = 外地就医",
    "医保关系转移 = 医保转移 = 医疗保险关系转移接续",
    "社保转移 = 养老保险关系转移 = 社保关系转移",
    "社保卡 = 社会保障卡",
    "丢 = 丢失 = 遗失 = 挂失",
    "补办 = 补领 = 补换",
    "退役军人 = 退伍军人 = 复员军人",
    "残疾证 = 残疾人证",
    "高龄津贴 = 高龄补贴 = 老年人高龄津贴",
    "临时救助 = 临时救济",
    "灵活就业 = 个体参保",
    "失业金 = 失业保险金",
    "工伤 = 工伤保险",
    "生育津贴 = 生育保险待遇",
    "出生证 = 出生医学证明",
    "新生儿 = 婴儿",
    "死亡 = 去世 = 过世",
    "丧葬费 = 丧葬补助金",
    "居住证 = 暂住证",
    "门诊慢特病 = 慢性病 = 慢病 = 门特",
    "个税 = 个人所得税",
    "城乡居民医保 = 居民医保",
    "缴费 = 交费 = 缴纳 = 交钱",
    "查询 = 查",
    "证明 = 开证明",
    "退休 = 退休审批 = 办退休",
    "结婚证 = 婚姻登记",
]


def ensure_synonyms() -> int:
    """Create the default groups that are missing; returns how many."""
    from .models import SynonymGroup

    made = 0
    for terms in SYNONYM_GROUPS:
        _group, created = SynonymGroup.objects.get_or_create(terms=terms)
        made += created
    return made
