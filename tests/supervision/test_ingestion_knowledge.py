"""Clerks' flags on the knowledge base reach the ledger: the worker reads
``ArticleFlag`` after its cursor (source ``knowledge``), once; a flag raised by
someone of no centre opens no row."""

from __future__ import annotations

import pytest

from yichuang.knowledge import actions as kb
from yichuang.knowledge.actions import ArticleContent
from yichuang.supervision.actions import problems_ingest
from yichuang.supervision.models import Problem, SourceCursor

pytestmark = pytest.mark.django_db


@pytest.fixture
def answer(county):
    from yichuang.demo.lines import map_lines

    map_lines()
    return kb.article_create(
        actor=county.dept_lead,
        kind="faq",
        content=ArticleContent(title="社保卡补办要多久", body="当场补办。", lines=["shebao"]),
    )


def test_a_flag_opens_one_ledger_row_of_source_knowledge(county, answer):
    flag = kb.flag_raise(actor=county.clerk, reason="wrong", article=answer, note="要 7 个工作日")
    assert problems_ingest(settle=None) == "knowledge+1"
    row = Problem.objects.get(source="knowledge")
    assert row.source_id == flag.pk
    assert row.centre == county.hall
    assert row.owner.user == county.dept_lead
    assert row.clerk.user == county.clerk
    assert row.department == answer.department
    assert "要 7 个工作日" in row.description
    # the cursor moved: a second pass opens nothing
    assert problems_ingest(settle=None) == ""
    assert Problem.objects.filter(source="knowledge").count() == 1
    assert SourceCursor.objects.get(source="knowledge").last_id == flag.pk


def test_a_missing_answer_and_a_flag_of_no_centre(county, answer):
    kb.flag_raise(actor=county.clerk, reason="missing", query="异地生育报销 13812345678")
    from yichuang.accounts.models import User

    nobody = User.objects.create_user(username="no_staff", password="x-Very-long-9")
    kb.flag_raise(actor=nobody, reason="missing", query="没有中心的人")
    problems_ingest(settle=None)
    rows = list(Problem.objects.filter(source="knowledge"))
    assert len(rows) == 1
    assert "13812345678" not in rows[0].description
    assert "异地生育报销" in rows[0].description


def test_a_flag_too_fresh_waits_for_the_next_pass(county, answer):
    kb.flag_raise(actor=county.clerk, reason="outdated", article=answer)
    problems_ingest(settle=3600)
    assert not Problem.objects.filter(source="knowledge").exists()
