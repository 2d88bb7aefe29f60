"""The demo county's catalogue: big enough, realistic, not yet at target."""

from yichuang.catalog.metrics import catalog_metrics
from yichuang.catalog.models import Bundle, Item, ItemVersion
from yichuang.demo import catalog as demo_catalog
from yichuang.demo.base import DemoRun
from yichuang.org.models import Centre, Department


def test_it_builds_a_believable_catalogue_below_target(county):
    run = DemoRun(seed=3)
    run.ctx.update(
        departments={d.code: d for d in Department.objects.all()},
        centres=list(Centre.objects.all()),
        hall=county.hall,
    )
    demo_catalog.build(run)
    assert Item.objects.published().count() >= 80
    assert set(Item.objects.values_list("department__code", flat=True)) == {
        "rs",
        "yb",
        "ga",
        "mz",
        "wj",
        "cl",
        "tyjr",
        "sw",
    }
    assert ItemVersion.objects.filter(case_type="immediate").exists()
    assert {"newborn", "retirement", "after-death", "disability"} <= set(
        Bundle.objects.values_list("code", flat=True)
    )
    m = catalog_metrics("county")
    assert 0.75 < m["one_visit_coverage"] < 0.90
    assert 0.15 < m["committed_compression"] < 0.30
    assert len(run.ctx["items"]) == m["items"]
    # every demo item passes the publishing rules
    from yichuang.catalog.actions import version_data, version_problems

    for v in ItemVersion.objects.all()[:200]:
        assert version_problems(version_data(v)) == [], v


# The facts a county official checks first (docs/domain.md, "Service items").
CALENDAR_DAY_LIMITS = {
    # item: (statutory limit, unit) as the law sets it
    "工伤认定申请": (60, "day"),
    "劳动能力鉴定申请": (60, "day"),
    "居民身份证首次申领": (60, "day"),
    "居民身份证换领与补领": (60, "day"),
    "临时居民身份证申领": (3, "day"),
    "居住证申领": (15, "day"),
    "离婚登记": (30, "day"),
}

# item → a regulation its basis must cite
EXPECTED_BASIS = {
    "最低生活保障申请": "《社会救助暂行办法》",
    "特困人员救助供养申请": "《社会救助暂行办法》",
    "临时救助申请": "《社会救助暂行办法》",
    "医疗救助申请": "《社会救助暂行办法》",
    "工伤认定申请": "《工伤保险条例》",
    "失业保险金申领": "《失业保险条例》",
    "居民身份证首次申领": "《中华人民共和国居民身份证法》",
    "临时居民身份证申领": "《临时居民身份证管理办法》",
    "居住证申领": "《居住证暂行条例》",
    "出生登记": "《中华人民共和国户口登记条例》",
    "结婚登记": "《婚姻登记条例》",
    "离婚登记": "《中华人民共和国民法典》",
    "惠民殡葬补贴申领": "《殡葬管理条例》",
    "公共场所卫生许可": "《公共场所卫生管理条例》",
    "医师执业注册": "《中华人民共和国医师法》",
    "护士执业注册": "《护士条例》",
    "出生医学证明首次签发": "《中华人民共和国母婴保健法》",
    "残疾人证新办": "《中华人民共和国残疾人保障法》",
    "退役士兵自主就业一次性经济补助金发放": "《退役士兵安置条例》",
}

# A regulation and the only items whose basis may cite it.
NARROW_BASIS = {
    "《婚姻登记条例》": {"结婚登记", "离婚登记", "补领婚姻登记证"},
    "《工伤保险条例》": {"工伤认定申请", "劳动能力鉴定申请"},
    "《临时居民身份证管理办法》": {"临时居民身份证申领"},
    "《中华人民共和国居民身份证法》": {
        "居民身份证首次申领",
        "居民身份证换领与补领",
        "临时居民身份证申领",
    },
}


def _published():
    return {
        v.name: v
        for v in ItemVersion.objects.filter(status="published", item__is_active=True)
        .select_related("item")
        .prefetch_related("materials")
    }


def _build(county):
    run = DemoRun(seed=3)
    run.ctx.update(
        departments={d.code: d for d in Department.objects.all()},
        centres=list(Centre.objects.all()),
        hall=county.hall,
    )
    demo_catalog.build(run)
    return _published()


def test_calendar_day_limits_are_stored_in_calendar_days(county):
    versions = _build(county)
    for name, (amount, unit) in CALENDAR_DAY_LIMITS.items():
        v = versions[name]
        assert (v.legal_limit, v.legal_limit_unit) == (amount, unit), name
        assert v.committed_limit_unit == unit, name
        assert v.committed_limit <= v.legal_limit, name
    # the other items' limits are working days
    others = [v for n, v in versions.items() if n not in CALENDAR_DAY_LIMITS]
    assert {v.legal_limit_unit for v in others} == {"workday"}


def test_no_discontinued_approval_is_offered(county):
    versions = _build(county)
    # 再生育审批 ended with the 2021 《人口与计划生育法》 amendment
    assert not [n for n in versions if "再生育" in n]
    assert not Item.objects.published().filter(name__contains="再生育").exists()


def test_id_card_applicants_bring_no_photo(county):
    versions = _build(county)
    id_items = [v for n, v in versions.items() if "居民身份证" in n]
    assert len(id_items) >= 3
    for v in id_items:
        assert not [m.name for m in v.materials.all() if "照片" in m.name], v.name


def test_every_basis_is_the_items_own(county):
    versions = _build(county)
    for name, regulation in EXPECTED_BASIS.items():
        assert regulation in versions[name].legal_basis, name
    for regulation, allowed in NARROW_BASIS.items():
        citing = {n for n, v in versions.items() if regulation in v.legal_basis}
        assert citing <= allowed, (regulation, citing - allowed)
    assert all(v.legal_basis.startswith("《") for v in versions.values())


def test_conditions_are_written_per_item(county):
    versions = _build(county)
    conditions = [v.conditions for v in versions.values()]
    assert all(conditions)
    assert len(set(conditions)) == len(conditions)
    # no condition that just repeats the item's own name as a regulation
    assert not [n for n, v in versions.items() if f"《{n}》" in v.conditions]


def test_no_item_asks_for_a_certificate_it_does_not_need(county):
    versions = _build(county)
    names = {n: {m.name for m in v.materials.all()} for n, v in versions.items()}
    # births are registered and reimbursed without a marriage certificate
    for name in ("出生医学证明首次签发", "生育医疗费用报销", "生育登记", "创业担保贷款申请"):
        assert "结婚证" not in names[name], name
    # 养老机构 filing takes a signed commitment, not a fire-safety certificate
    assert "消防安全检查合格证明" not in names["养老机构备案"]
