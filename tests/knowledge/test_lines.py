"""Business lines: the nine of docs/domain.md, the demo's mapping, and the
lines a window requires (its primary queues', not those it helps with)."""

from yichuang.org.models import BusinessLine, Department, Window
from yichuang.queueing.models import Queue, WindowSkill
from yichuang.queueing.selectors import window_required_lines


def codes(lines):
    return sorted(line.code for line in lines)


def test_the_nine_lines_exist(county):
    assert BusinessLine.objects.count() == 9
    assert BusinessLine.objects.first().name == "社保"


def test_the_demo_maps_departments_queues_and_items(county, catalogue):
    assert codes(Department.objects.get(code="yb").lines.all()) == ["yibao"]
    medical = Queue.objects.get(centre=county.hall, code="medical")
    assert codes(medical.lines.all()) == ["yibao"]
    town_social = Queue.objects.get(centre=county.town, code="social")
    assert codes(town_social.lines.all()) == ["shebao", "yibao"]
    assert codes(catalogue["异地就医备案"].lines.all()) == ["yibao"]


def test_a_window_requires_the_lines_of_its_primary_queues(county, lines):
    general = Window.objects.filter(centre=county.hall, department=None).order_by("number")[0]
    assert codes(window_required_lines(general)) == ["zonghe"]
    medical = Window.objects.filter(centre=county.hall, department__code="yb").first()
    assert codes(window_required_lines(medical)) == ["yibao"]


def test_a_queue_helped_with_when_idle_does_not_count(county, lines):
    medical = Window.objects.filter(centre=county.hall, department__code="yb").first()
    primary = WindowSkill.objects.filter(window=medical).order_by("order").first().order
    tax = Queue.objects.get(centre=county.hall, code="tax")
    WindowSkill.objects.update_or_create(window=medical, queue=tax, defaults={"order": primary + 1})
    assert codes(window_required_lines(medical)) == ["yibao"]
    WindowSkill.objects.filter(window=medical, queue=tax).update(order=primary)
    assert codes(window_required_lines(medical)) == ["shuiwu", "yibao"]


def test_a_window_serving_nothing_requires_nothing(county, lines):
    window = Window.objects.filter(centre=county.hall).first()
    WindowSkill.objects.filter(window=window).delete()
    assert codes(window_required_lines(window)) == []
