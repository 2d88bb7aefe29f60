from yichuang.cases.models import Card, Case, CaseVisit
from yichuang.demo import cases, catalog, queueing
from yichuang.demo.base import DemoRun
from yichuang.org.models import Centre, Department
from yichuang.vault.models import AccessLog


def test_the_demo_history_has_visits_notices_reuse_and_cards(county):
    run = DemoRun(seed=3, months=2, scale="small")
    run.ctx.update(
        departments={d.code: d for d in Department.objects.all()},
        centres=list(Centre.objects.all()),
        hall=county.hall,
    )
    catalog.build(run)
    queueing.build(run)
    cases.build(run)
    assert Case.objects.count() > 100
    assert Case.objects.filter(visit_count=2).exists()
    assert CaseVisit.objects.filter(ticket__isnull=False).count() >= Case.objects.count()
    assert AccessLog.objects.filter(kind="document").exists()
    assert Case.objects.filter(status="review").exists() and Card.objects.exists()
    assert run.out[-1].startswith("办件：")
