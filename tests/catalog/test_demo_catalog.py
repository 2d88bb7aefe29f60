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
