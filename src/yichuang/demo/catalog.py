"""Demo step: the catalogue of 云溪县 — about 90 published items across the seven
demo departments, with believable materials, limits and visits, the township
centres' high-frequency items, and the life-event bundles (一件事).

The county is deliberately *not* at target: some items still need two visits
and several committed limits equal the statutory ones, so the overview page
has a to-do list. Everything is derived from ``run.rng`` and the tables below,
so the same seed gives the same catalogue.
"""

from __future__ import annotations

from django.utils import timezone

from yichuang.catalog.models import (
    Bundle,
    BundleItem,
    Item,
    ItemVersion,
    LimitUnit,
    Material,
    Step,
    pinyin_initials,
)

from .base import DemoRun
from .catalog_facts import CALENDAR_DAY_ITEMS, FACTS

# key: (name, originals, copies, document type, removable, notes)
MATERIALS = {
    "id": ("居民身份证", 1, 0, "id_card", False, "原件现场核验后退还"),
    "idcopy": ("居民身份证复印件", 0, 1, "", True, "身份证已现场核验，依规不得再索要复印件"),
    "hukou": ("居民户口簿", 1, 0, "hukou_book", False, "户主页及本人页"),
    "hukoucopy": ("户口簿复印件", 0, 1, "", True, "可通过户籍信息共享核验"),
    "photo": ("近期一寸免冠彩色照片", 2, 0, "", False, "白色背景"),
    "couple_photo": ("近期二寸双人半身免冠合影", 3, 0, "", False, "登记处也可现场拍摄"),
    "single_photo": ("近期二寸单人半身免冠照片", 2, 0, "", False, "每人2张，登记处也可现场拍摄"),
    "id_receipt": ("居民身份证领取凭证", 1, 0, "", False, "正在申领、换领或补领居民身份证的回执"),
    "marriage": ("结婚证", 1, 0, "marriage_cert", False, ""),
    "birth": ("出生医学证明", 1, 0, "birth_cert", False, ""),
    "sscard": ("社会保障卡", 1, 0, "ss_card", False, "或本人银行借记卡"),
    "bank": ("本人银行借记卡", 1, 0, "bank_card", False, "用于待遇发放"),
    "income": ("家庭收入情况声明", 1, 0, "", False, "可书面承诺代替，事后核查"),
    "property": ("家庭财产状况申报表", 1, 0, "", False, "共同生活家庭成员均须申报"),
    "disab": ("残疾人证", 1, 0, "disability_cert", False, "第二代残疾人证"),
    "diag": ("二级以上医院诊断证明", 1, 0, "", False, "近三个月内出具"),
    "invoice": ("医疗费用原始票据", 1, 0, "", False, "须加盖医院收费章"),
    "bill": ("费用明细清单", 1, 0, "", False, ""),
    "discharge": ("出院小结", 0, 1, "", False, "住院费用须提供"),
    "death": ("居民死亡医学证明（推断）书", 1, 0, "death_cert", False, ""),
    "cremation": ("火化证明", 1, 0, "cremation_cert", False, ""),
    "relation": ("亲属关系证明", 1, 0, "", False, "户口簿能体现的无需提供"),
    "veteran": ("退役证件（退伍证或转业证）", 1, 0, "veteran_cert", False, ""),
    "contract": ("劳动合同", 0, 1, "", False, ""),
    "license": ("营业执照", 1, 0, "business_license", False, "可通过电子证照调取"),
    "residence": ("居住证", 1, 0, "residence_permit", False, ""),
    "house": ("不动产权证书或购房合同", 1, 0, "property_cert", False, ""),
    "rent": ("房屋租赁合同", 1, 0, "", False, "须经住建部门备案"),
    "proof_school": ("学籍证明", 1, 0, "", False, "学校出具"),
    "medcert": ("健康体检报告", 1, 0, "", False, "县级以上医疗机构出具"),
    "agent": ("代办人身份证及授权委托书", 1, 0, "", False, "委托他人代办时提供"),
    "hospital_proof": ("住院病历首页", 0, 1, "", False, ""),
    "transfer": ("参保缴费凭证（转出地）", 1, 0, "", False, "可通过全国社保转移平台获取"),
}


# (name, item type, case type, statutory limit (None = none), committed, visits,
#  online depth, in township centres, materials (keys or (name, orig, copies)))
IM, P = "immediate", "promised"
ITEMS = {
    "rs": [
        (
            "城乡居民基本养老保险参保登记",
            "public_service",
            IM,
            None,
            0,
            0,
            4,
            True,
            ["id", "hukou"],
        ),
        (
            "职工基本养老保险参保登记",
            "confirmation",
            IM,
            None,
            0,
            0,
            4,
            False,
            ["license", "contract"],
        ),
        ("城乡居民基本养老保险待遇申领", "benefit", P, 20, 10, 1, 3, True, ["id", "hukou", "bank"]),
        (
            "职工基本养老保险待遇申领（退休）",
            "benefit",
            P,
            20,
            15,
            1,
            3,
            False,
            ["id", "idcopy", "photo", ("职工退休审批表", 1, 0), "bank"],
        ),
        ("基本养老保险关系转移接续", "public_service", P, 45, 30, 1, 4, False, ["id", "transfer"]),
        (
            "失业保险金申领",
            "benefit",
            P,
            10,
            8,
            1,
            4,
            False,
            ["id", ("解除或终止劳动关系证明", 1, 0), "bank"],
        ),
        (
            "工伤认定申请",
            "confirmation",
            P,
            60,
            50,
            2,
            2,
            False,
            [("工伤认定申请表", 1, 0), "id", "contract", "diag", ("事故调查报告或证人证言", 1, 0)],
        ),
        (
            "劳动能力鉴定申请",
            "confirmation",
            P,
            60,
            60,
            2,
            2,
            False,
            [("劳动能力鉴定申请表", 1, 0), "id", ("工伤认定决定书", 1, 0), "diag", "photo"],
        ),
        ("社会保障卡申领", "public_service", IM, None, 0, 1, 3, True, ["id", "photo"]),
        ("社会保障卡挂失与补换", "public_service", IM, None, 0, 1, 4, True, ["id", "idcopy"]),
        ("就业创业证申领", "public_service", IM, None, 0, 0, 4, True, ["id", "photo"]),
        (
            "创业担保贷款申请",
            "benefit",
            P,
            15,
            12,
            2,
            2,
            False,
            ["id", "license", ("创业计划书", 1, 0)],
        ),
        (
            "职业技能提升补贴申领",
            "benefit",
            P,
            20,
            15,
            0,
            4,
            False,
            ["id", ("职业资格证书或职业技能等级证书", 1, 0), "bank"],
        ),
        (
            "丧葬补助金和抚恤金申领",
            "benefit",
            P,
            20,
            15,
            1,
            3,
            False,
            ["death", "cremation", "relation", "bank", "idcopy"],
        ),
        ("灵活就业人员参保登记", "public_service", IM, None, 0, 0, 4, True, ["id"]),
    ],
    "yb": [
        (
            "城乡居民基本医疗保险参保登记",
            "public_service",
            IM,
            None,
            0,
            0,
            4,
            True,
            ["id", "hukou"],
        ),
        (
            "新生儿城乡居民医保参保登记",
            "public_service",
            IM,
            None,
            0,
            0,
            4,
            True,
            ["birth", "hukou"],
        ),
        (
            "职工基本医疗保险参保登记",
            "public_service",
            IM,
            None,
            0,
            0,
            4,
            False,
            ["license", "contract"],
        ),
        (
            "异地就医备案",
            "public_service",
            IM,
            None,
            0,
            0,
            4,
            True,
            ["id", ("异地就医备案表", 1, 0)],
        ),
        (
            "门诊慢特病待遇认定",
            "confirmation",
            P,
            15,
            10,
            1,
            3,
            True,
            ["id", "diag", "hospital_proof", "photo"],
        ),
        (
            "零星医疗费用报销",
            "benefit",
            P,
            30,
            20,
            1,
            3,
            True,
            ["sscard", "invoice", "bill", "discharge", "diag", "idcopy"],
        ),
        (
            "生育医疗费用报销",
            "benefit",
            P,
            20,
            15,
            1,
            3,
            False,
            ["sscard", "invoice", "bill", "birth"],
        ),
        (
            "生育津贴申领",
            "benefit",
            P,
            20,
            15,
            1,
            3,
            False,
            ["id", "birth", ("单位申请表", 1, 0), "bank"],
        ),
        (
            "职工医保退休人员待遇核定",
            "confirmation",
            P,
            15,
            10,
            1,
            2,
            False,
            ["id", ("职工退休审批表", 1, 0)],
        ),
        (
            "医保个人账户一次性支取与继承",
            "benefit",
            P,
            20,
            20,
            2,
            2,
            False,
            ["death", "relation", "id", "bank", "hukoucopy"],
        ),
        (
            "医疗救助申请",
            "benefit",
            P,
            20,
            15,
            1,
            2,
            True,
            ["id", "invoice", "bill", ("低保证或特困供养证", 1, 0)],
        ),
        (
            "转外就医备案",
            "public_service",
            P,
            5,
            3,
            1,
            3,
            True,
            ["sscard", ("转诊转院审批表", 1, 0)],
        ),
        ("医疗保障关系转移接续", "public_service", P, 45, 30, 0, 4, False, ["id", "transfer"]),
    ],
    "ga": [
        (
            "出生登记",
            "confirmation",
            IM,
            None,
            0,
            1,
            3,
            False,
            ["birth", "hukou", "marriage", "id"],
        ),
        ("死亡注销户口", "confirmation", IM, None, 0, 1, 2, False, ["death", "hukou", "cremation"]),
        (
            "户口迁移（县内）",
            "confirmation",
            P,
            5,
            3,
            1,
            3,
            False,
            ["id", "hukou", "house", "hukoucopy"],
        ),
        (
            "户口迁入（投靠）",
            "licensing",
            P,
            20,
            15,
            2,
            2,
            False,
            ["id", "hukou", "marriage", "relation", "house"],
        ),
        ("户口迁出", "confirmation", P, 5, 3, 1, 3, False, ["id", "hukou", ("准予迁入证明", 1, 0)]),
        ("居民身份证首次申领", "licensing", P, 60, 30, 1, 2, True, ["hukou"]),
        ("居民身份证换领与补领", "licensing", P, 60, 30, 1, 3, True, ["hukou", "id"]),
        ("临时居民身份证申领", "licensing", P, 3, 1, 1, 2, True, ["hukou", "id_receipt"]),
        ("居住证申领", "licensing", P, 15, 10, 1, 3, True, ["id", "rent", "photo", "idcopy"]),
        ("户籍证明开具", "public_service", IM, None, 0, 0, 4, True, ["id"]),
        (
            "姓名变更登记",
            "confirmation",
            P,
            20,
            15,
            2,
            1,
            False,
            ["id", "hukou", ("变更姓名申请书", 1, 0), "relation"],
        ),
        (
            "户口登记项目更正",
            "confirmation",
            P,
            20,
            20,
            2,
            1,
            False,
            ["id", "hukou", ("更正依据材料", 1, 0)],
        ),
    ],
    "mz": [
        (
            "最低生活保障申请",
            "benefit",
            P,
            30,
            20,
            1,
            2,
            True,
            ["id", "hukou", "income", "property", "bank", "hukoucopy"],
        ),
        (
            "特困人员救助供养申请",
            "benefit",
            P,
            30,
            20,
            1,
            2,
            True,
            ["id", "hukou", "income", "property", "diag"],
        ),
        (
            "临时救助申请",
            "benefit",
            P,
            15,
            10,
            1,
            2,
            True,
            ["id", "hukou", ("困难情况说明", 1, 0), "bank"],
        ),
        (
            "低保边缘家庭认定",
            "confirmation",
            P,
            30,
            25,
            1,
            2,
            True,
            ["id", "hukou", "income", "property"],
        ),
        (
            "结婚登记",
            "confirmation",
            IM,
            None,
            0,
            1,
            2,
            False,
            ["id", ("无配偶及无禁止结婚亲属关系的签字声明", 1, 0), "couple_photo"],
        ),
        (
            "离婚登记",
            "confirmation",
            P,
            30,
            30,
            2,
            1,
            False,
            ["id", "marriage", ("离婚协议书", 3, 0), "single_photo"],
        ),
        (
            "补领婚姻登记证",
            "confirmation",
            IM,
            None,
            0,
            1,
            2,
            False,
            ["id", "hukou", "single_photo"],
        ),
        ("惠民殡葬补贴申领", "benefit", P, 10, 5, 0, 3, True, ["death", "cremation", "bank"]),
        ("高龄津贴申领", "benefit", P, 20, 10, 0, 3, True, ["id", "hukou", "bank"]),
        (
            "困难残疾人生活补贴申请",
            "benefit",
            P,
            20,
            15,
            1,
            3,
            True,
            ["id", "disab", ("低保证或特困供养证", 1, 0), "bank"],
        ),
        ("重度残疾人护理补贴申请", "benefit", P, 20, 15, 1, 3, True, ["id", "disab", "bank"]),
        (
            "孤儿基本生活费申领",
            "benefit",
            P,
            30,
            20,
            1,
            2,
            True,
            ["hukou", "death", ("监护人身份证", 1, 0), "bank"],
        ),
        (
            "养老机构备案",
            "other_power",
            IM,
            None,
            0,
            1,
            3,
            False,
            ["license", ("养老机构备案书", 1, 0), ("养老机构备案承诺书", 1, 0)],
        ),
    ],
    "wj": [
        (
            "出生医学证明首次签发",
            "public_service",
            P,
            5,
            3,
            1,
            2,
            False,
            ["id", ("住院分娩记录", 1, 0)],
        ),
        (
            "出生医学证明补发",
            "public_service",
            P,
            20,
            15,
            2,
            1,
            False,
            ["id", "hukou", ("出生医学证明遗失声明", 1, 0)],
        ),
        ("生育登记", "public_service", IM, None, 0, 0, 4, True, ["id", "hukou"]),
        (
            "计划生育家庭特别扶助金申领",
            "benefit",
            P,
            30,
            25,
            1,
            2,
            True,
            ["id", "hukou", "death", ("独生子女父母光荣证", 1, 0), "bank"],
        ),
        (
            "农村部分计划生育家庭奖励扶助申领",
            "benefit",
            P,
            30,
            20,
            1,
            2,
            True,
            ["id", "hukou", ("独生子女父母光荣证", 1, 0), "bank", "idcopy"],
        ),
        ("独生子女父母光荣证补发", "public_service", IM, None, 0, 1, 2, True, ["id", "hukou"]),
        (
            "医师执业注册",
            "licensing",
            P,
            20,
            10,
            1,
            3,
            False,
            ["id", ("医师资格证书", 1, 0), "medcert", "photo"],
        ),
        (
            "护士执业注册",
            "licensing",
            P,
            20,
            10,
            1,
            3,
            False,
            ["id", ("护士执业资格考试成绩合格证明", 1, 0), "medcert", "photo"],
        ),
        (
            "公共场所卫生许可",
            "licensing",
            P,
            20,
            15,
            2,
            2,
            False,
            [
                "license",
                ("卫生许可申请书", 1, 0),
                ("从业人员健康合格证明", 1, 0),
                ("卫生检测报告", 1, 0),
            ],
        ),
        ("预防接种证补办", "public_service", IM, None, 0, 1, 1, True, ["birth", "id"]),
        (
            "母婴保健技术服务执业许可",
            "licensing",
            P,
            20,
            20,
            2,
            1,
            False,
            ["license", ("执业许可申请书", 1, 0), ("医疗机构执业许可证", 1, 0)],
        ),
    ],
    "cl": [
        (
            "残疾人证新办",
            "confirmation",
            P,
            20,
            15,
            2,
            2,
            True,
            ["id", "hukou", "photo", ("残疾评定表", 1, 0)],
        ),
        ("残疾人证换领", "confirmation", P, 20, 10, 1, 3, True, ["id", "disab", "photo"]),
        ("残疾人证迁移", "confirmation", P, 10, 5, 0, 4, True, ["disab", "hukou"]),
        ("残疾人证挂失补办", "confirmation", P, 10, 10, 1, 3, True, ["id", "hukou", "photo"]),
        (
            "残疾等级变更",
            "confirmation",
            P,
            20,
            20,
            2,
            2,
            True,
            ["id", "disab", "photo", ("残疾评定表", 1, 0)],
        ),
        (
            "残疾人辅助器具适配补贴申请",
            "benefit",
            P,
            15,
            10,
            1,
            3,
            True,
            ["id", "disab", ("辅助器具评估表", 1, 0), "bank"],
        ),
        (
            "残疾儿童康复救助申请",
            "benefit",
            P,
            15,
            10,
            1,
            2,
            True,
            ["hukou", "diag", ("康复机构评估报告", 1, 0), "birth"],
        ),
        (
            "残疾人就业创业扶持补贴申领",
            "benefit",
            P,
            20,
            15,
            0,
            3,
            False,
            ["id", "disab", "license", "bank"],
        ),
        (
            "残疾人家庭无障碍改造申请",
            "public_service",
            P,
            20,
            20,
            1,
            2,
            True,
            ["id", "disab", "house", "idcopy"],
        ),
        (
            "残疾人机动轮椅车燃油补贴申领",
            "benefit",
            P,
            15,
            10,
            0,
            3,
            True,
            ["disab", ("机动车行驶证", 1, 0), "bank"],
        ),
        (
            "残疾人城乡居民养老保险费代缴认定",
            "confirmation",
            P,
            10,
            5,
            0,
            4,
            True,
            ["disab", "hukou"],
        ),
    ],
    "tyjr": [
        (
            "退役士兵自主就业一次性经济补助金发放",
            "benefit",
            P,
            20,
            15,
            1,
            2,
            False,
            ["veteran", "id", "bank"],
        ),
        (
            "退役军人和其他优抚对象信息采集",
            "public_service",
            IM,
            None,
            0,
            1,
            3,
            True,
            ["veteran", "id", "photo"],
        ),
        ("悬挂光荣牌", "public_service", IM, None, 0, 0, 4, True, ["veteran", "hukou"]),
        ("优待证申领", "public_service", P, 20, 10, 1, 3, True, ["veteran", "id", "photo"]),
        (
            "伤残等级评定（调整）",
            "confirmation",
            P,
            60,
            60,
            2,
            1,
            False,
            ["id", "veteran", "diag", ("伤残等级评定申请表", 1, 0), "photo"],
        ),
        (
            "带病回乡退伍军人认定",
            "confirmation",
            P,
            30,
            25,
            2,
            1,
            False,
            ["veteran", "diag", ("部队医疗卡", 1, 0)],
        ),
        (
            "在乡老复员军人定期生活补助申领",
            "benefit",
            P,
            20,
            15,
            1,
            2,
            True,
            ["veteran", "id", "bank"],
        ),
        (
            "烈士遗属定期抚恤金申领",
            "benefit",
            P,
            30,
            20,
            1,
            2,
            False,
            [("烈士证明书", 1, 0), "id", "relation", "bank"],
        ),
        (
            "退役士兵安置待安排工作期间生活费发放",
            "benefit",
            P,
            20,
            15,
            0,
            3,
            False,
            ["veteran", ("安置介绍信", 1, 0), "bank"],
        ),
        (
            "义务兵家庭优待金发放",
            "benefit",
            P,
            20,
            10,
            0,
            3,
            True,
            [("入伍通知书", 1, 0), "hukou", "bank"],
        ),
    ],
    # Contributions the tax bureau collects at its window in the county hall.
    "sw": [
        ("城乡居民基本医疗保险费缴纳", "public_service", IM, None, 0, 0, 4, False, ["id"]),
        ("城乡居民基本养老保险费缴纳", "public_service", IM, None, 0, 0, 4, False, ["id"]),
        ("灵活就业人员社会保险费缴纳", "public_service", IM, None, 0, 0, 4, False, ["id"]),
    ],
}

DEPT_NUMBER = {"rs": 11, "yb": 12, "ga": 13, "mz": 14, "wj": 15, "cl": 16, "tyjr": 17, "sw": 18}

VISIT_REASONS = {
    1: "须现场核验身份证件原件并签字确认",
    2: "首次须现场提交原件核验，审核通过后须现场领取证件或签订协议",
}

BUNDLES = [
    (
        "newborn",
        "新生儿出生一件事",
        "孩子出生后，一次提交即可办理出生医学证明、户口登记、医保参保和社保卡申领。",
        [
            "wj:出生医学证明首次签发",
            "ga:出生登记",
            "yb:新生儿城乡居民医保参保登记",
            "rs:社会保障卡申领",
        ],
    ),
    (
        "retirement",
        "退休一件事",
        "职工达到退休年龄，一次申请办理养老保险待遇、医保退休待遇核定。",
        [
            "rs:职工基本养老保险待遇申领（退休）",
            "yb:职工医保退休人员待遇核定",
            "rs:社会保障卡挂失与补换",
        ],
    ),
    (
        "after-death",
        "身后一件事",
        "亲人离世后，家属一次办理户口注销、丧葬补助、医保个人账户继承和殡葬补贴。",
        [
            "ga:死亡注销户口",
            "rs:丧葬补助金和抚恤金申领",
            "yb:医保个人账户一次性支取与继承",
            "mz:惠民殡葬补贴申领",
        ],
    ),
    (
        "disability",
        "残疾人服务一件事",
        "办理残疾人证的同时，一并申请两项补贴和养老保险费代缴。",
        [
            "cl:残疾人证新办",
            "mz:困难残疾人生活补贴申请",
            "mz:重度残疾人护理补贴申请",
            "cl:残疾人城乡居民养老保险费代缴认定",
        ],
    ),
    (
        "veteran",
        "退役军人服务一件事",
        "退役军人返乡后，一次办理信息采集、优待证申领和一次性经济补助金发放。",
        [
            "tyjr:退役军人和其他优抚对象信息采集",
            "tyjr:优待证申领",
            "tyjr:退役士兵自主就业一次性经济补助金发放",
        ],
    ),
]


def _steps(case_type: str, dept, review_dept=None) -> list[tuple[str, object, int, str]]:
    if case_type == IM:
        return [("accept", dept, 60, "窗口受理并当场审核"), ("complete", dept, 40, "当场办结")]
    return [
        ("accept", dept, 10, "综合窗口受理"),
        ("review", review_dept or dept, 40, "业务科室审查"),
        ("decide", dept, 30, "分管负责人审批"),
        ("complete", dept, 10, "出具办理结果"),
        ("deliver", dept, 10, "窗口领取或免费邮寄"),
    ]


def build(run: DemoRun) -> None:
    departments = run.ctx["departments"]
    centres = run.ctx["centres"]
    hall = run.ctx["hall"]
    townships = [c for c in centres if c.kind == "township"]
    now = timezone.now()
    rng = run.rng

    specs = []
    item_rows: dict[str, list[tuple]] = ITEMS  # type: ignore[assignment]
    for dept_code, rows in item_rows.items():
        for n, (name, itype, ctype, legal, committed, visits, depth, town, mats) in enumerate(
            rows, start=1
        ):
            code = f"3699210{DEPT_NUMBER[dept_code]}{n:03d}"
            specs.append(
                (dept_code, code, name, itype, ctype, legal, committed, visits, depth, town, mats)
            )

    items = Item.objects.bulk_create(
        [
            Item(
                code=code,
                basic_code=f"000{DEPT_NUMBER[d]}{n:07d}"[:12],
                department=departments[d],
                name=name,
                initials=pinyin_initials(name),
                case_count=0,
            )
            for n, (d, code, name, *_rest) in enumerate(specs, start=1)
        ]
    )
    versions = ItemVersion.objects.bulk_create(
        [
            ItemVersion(
                item=item,
                number=1,
                status=ItemVersion.Status.PUBLISHED,
                name=name,
                item_type=itype,
                case_type=ctype,
                legal_limit=legal,
                legal_limit_unit=_unit(name),
                committed_limit=committed,
                committed_limit_unit=_unit(name),
                visits_required=visits,
                visits_reason=VISIT_REASONS.get(visits, ""),
                online_depth=depth_,
                in_hall=True,
                appointment=rng.random() < 0.3,
                express=ctype == P and rng.random() < 0.6,
                area="county" if town else rng.choice(["county", "city", "local"]),
                legal_basis=FACTS[name][0],
                conditions=FACTS[name][1],
                fee="不收费",
                result=_result_name(name, itype),
                special_procedures=(
                    [{"name": "公示", "max_days": 7}]
                    if itype == "benefit" and legal and legal >= 30
                    else []
                ),
                published_at=now,
            )
            for item, (
                d,
                _code,
                name,
                itype,
                ctype,
                legal,
                committed,
                visits,
                depth_,
                town,
                _m,
            ) in zip(items, specs, strict=True)
        ]
    )
    materials, steps = [], []
    for version, (d, _code, _name, _t, ctype, _l, _c, _v, _dp, _town, mats) in zip(
        versions, specs, strict=True
    ):
        for pos, key in enumerate(mats):
            if isinstance(key, tuple):
                mname, orig, copies = key
                dtype, removable, notes = "", False, ""
            else:
                mname, orig, copies, dtype, removable, notes = MATERIALS[key]
            materials.append(
                Material(
                    version=version,
                    code=f"M{pos + 1:02d}",
                    name=mname,
                    originals=orig,
                    copies=copies,
                    position=pos,
                    document_type=dtype,
                    removable=removable,
                    notes=notes,
                    requirement="optional" if key in ("agent", "discharge") else "required",
                    tolerable=key in ("discharge", "hospital_proof", "photo"),
                    commitment=key in ("income", "relation"),
                )
            )
        review = departments["yb"] if d == "rs" and "医保" in _name else None
        for pos, (kind, dept, share, notes) in enumerate(
            _steps(ctype, departments[d], review), start=1
        ):
            steps.append(
                Step(
                    version=version,
                    position=pos,
                    kind=kind,
                    department=dept,
                    share=share,
                    notes=notes,
                )
            )
    Material.objects.bulk_create(materials)
    Step.objects.bulk_create(steps)
    for item, version in zip(items, versions, strict=True):
        item.current_version = version
    Item.objects.bulk_update(items, ["current_version"])

    links = []
    for item, spec in zip(items, specs, strict=True):
        links.append(Item.centres.through(item_id=item.pk, centre_id=hall.pk))
        if spec[9]:
            links.extend(Item.centres.through(item_id=item.pk, centre_id=c.pk) for c in townships)
    Item.centres.through.objects.bulk_create(links)

    by_key = {f"{spec[0]}:{spec[2]}": item for item, spec in zip(items, specs, strict=True)}
    for code, name, description, members in BUNDLES:
        bundle = Bundle.objects.create(code=code, name=name, description=description)
        BundleItem.objects.bulk_create(
            [BundleItem(bundle=bundle, item=by_key[m], position=i) for i, m in enumerate(members)]
        )

    run.ctx["items"] = {item.code: item for item in items}
    run.ctx["items_by_name"] = {item.name: item for item in items}
    from yichuang.catalog.metrics import catalog_metrics

    m = catalog_metrics("county")
    run.say(
        f"事项目录：{m['items']} 个事项，{len(BUNDLES)} 个“一件事”；"
        f"最多跑一次覆盖率 {m['one_visit_coverage']:.1%}，"
        f"承诺时限压缩 {m['committed_compression']:.1%}"
    )


def _unit(name: str) -> str:
    return LimitUnit.DAY if name in CALENDAR_DAY_ITEMS else LimitUnit.WORKDAY


def _result_name(name: str, itype: str) -> str:
    if itype == "benefit":
        return "待遇核定结果及发放"
    if itype == "licensing":
        return "准予许可决定书或证件"
    if "登记" in name:
        return "登记结果"
    return "办理结果通知"
