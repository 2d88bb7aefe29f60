"""How many cases each demo item draws, relative to the others: a county's
mix, where the social-security card, medical-insurance registration and ID
cards come by the dozen for every 工伤认定 or 伤残等级评定, and the items done
on the spot (即办件) are a large minority, as in the halls the demo follows. Items not listed
weigh DEFAULT. In township centres the social-assistance items (低保, 临时救助,
特困) weigh more: townships take those applications first."""

from __future__ import annotations

DEFAULT = 1.0

WEIGHTS: dict[str, float] = {
    # 人社
    "社会保障卡申领": 8,
    "社会保障卡挂失与补换": 5,
    "城乡居民基本养老保险参保登记": 3,
    "灵活就业人员参保登记": 2,
    "就业创业证申领": 3,
    "城乡居民基本养老保险待遇申领": 6,
    "职工基本养老保险待遇申领（退休）": 4,
    "基本养老保险关系转移接续": 4,
    "失业保险金申领": 4,
    "职业技能提升补贴申领": 3,
    "职工基本养老保险参保登记": 2,
    "丧葬补助金和抚恤金申领": 2,
    "创业担保贷款申请": 1,
    "工伤认定申请": 0.6,
    "劳动能力鉴定申请": 0.4,
    # 医保
    "城乡居民基本医疗保险参保登记": 6,
    "异地就医备案": 4,
    "新生儿城乡居民医保参保登记": 3,
    "零星医疗费用报销": 8,
    "门诊慢特病待遇认定": 6,
    "职工基本医疗保险参保登记": 2,
    "转外就医备案": 4,
    "生育医疗费用报销": 3,
    "生育津贴申领": 3,
    "医疗救助申请": 2,
    "职工医保退休人员待遇核定": 2,
    "医保个人账户一次性支取与继承": 1,
    "医疗保障关系转移接续": 2,
    # 公安户政
    "居民身份证换领与补领": 20,
    "居民身份证首次申领": 6,
    "临时居民身份证申领": 5,
    "户籍证明开具": 3,
    "居住证申领": 6,
    "出生登记": 3,
    "户口迁移（县内）": 4,
    "户口迁出": 3,
    "户口迁入（投靠）": 2,
    "死亡注销户口": 2,
    "户口登记项目更正": 1,
    "姓名变更登记": 0.6,
    # 民政
    "结婚登记": 3,
    "最低生活保障申请": 4,
    "临时救助申请": 4,
    "高龄津贴申领": 4,
    "离婚登记": 2,
    "补领婚姻登记证": 1.5,
    "特困人员救助供养申请": 1.5,
    "低保边缘家庭认定": 1.5,
    "惠民殡葬补贴申领": 2,
    "困难残疾人生活补贴申请": 2,
    "重度残疾人护理补贴申请": 1.5,
    "孤儿基本生活费申领": 0.3,
    "养老机构备案": 0.2,
    # 卫健
    "生育登记": 2,
    "预防接种证补办": 2,
    "出生医学证明首次签发": 4,
    "出生医学证明补发": 0.8,
    "独生子女父母光荣证补发": 0.5,
    "计划生育家庭特别扶助金申领": 1,
    "农村部分计划生育家庭奖励扶助申领": 1.5,
    "医师执业注册": 0.5,
    "护士执业注册": 0.8,
    "公共场所卫生许可": 1,
    "母婴保健技术服务执业许可": 0.2,
    # 残联
    "残疾人证新办": 2,
    "残疾人证换领": 2,
    "残疾人证挂失补办": 0.5,
    "残疾人证迁移": 0.4,
    "残疾等级变更": 0.5,
    "残疾人辅助器具适配补贴申请": 1,
    "残疾儿童康复救助申请": 0.5,
    "残疾人机动轮椅车燃油补贴申领": 0.5,
    "残疾人家庭无障碍改造申请": 0.4,
    "残疾人就业创业扶持补贴申领": 0.3,
    "残疾人城乡居民养老保险费代缴认定": 1,
    # 退役军人
    "退役军人和其他优抚对象信息采集": 2,
    "优待证申领": 2,
    "悬挂光荣牌": 1,
    "义务兵家庭优待金发放": 1,
    "在乡老复员军人定期生活补助申领": 0.5,
    "退役士兵自主就业一次性经济补助金发放": 0.6,
    "退役士兵安置待安排工作期间生活费发放": 0.3,
    "烈士遗属定期抚恤金申领": 0.2,
    "带病回乡退伍军人认定": 0.2,
    "伤残等级评定（调整）": 0.2,
    # 税务
    "城乡居民基本医疗保险费缴纳": 4,
    "城乡居民基本养老保险费缴纳": 2,
    "灵活就业人员社会保险费缴纳": 1,
}

# In township centres (their whole weight, not a factor of the county's).
TOWNSHIP_WEIGHTS: dict[str, float] = {
    "最低生活保障申请": 12,
    "临时救助申请": 12,
    "特困人员救助供养申请": 5,
    "低保边缘家庭认定": 5,
    "高龄津贴申领": 8,
}


def item_weight(name: str, centre_kind: str = "county") -> float:
    """The relative number of cases of the item called ``name`` at a centre of
    ``centre_kind``."""
    if centre_kind == "township" and name in TOWNSHIP_WEIGHTS:
        return TOWNSHIP_WEIGHTS[name]
    return WEIGHTS.get(name, DEFAULT)
