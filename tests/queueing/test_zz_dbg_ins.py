from collections import Counter
import pytest
from django.utils import timezone
from yichuang.demo import feedback as demo_feedback
from yichuang.demo import queueing as demo_queueing
from yichuang.demo.base import DemoRun
from yichuang.feedback.models import Rating, Rectification
from yichuang.queueing.models import Ticket
pytestmark = pytest.mark.django_db

def test_dbg(hall):
    run = DemoRun(seed=11, months=2)
    demo_queueing.build_history(run, 2)
    demo_feedback.build(run)
    today = timezone.localdate()
    print("today", today, Ticket.objects.order_by("-day").values_list("day", flat=True).first())
    print(Counter((today - d).days for d in Rating.objects.bad().values_list("day", flat=True)).most_common()[-8:])
    print(Counter(Rectification.objects.values_list("status", flat=True)))
