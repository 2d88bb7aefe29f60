"""A clerk flags a wrong or missing answer; the flag goes to the article's
editor with a deadline; the editor resolves it once."""

import pytest

from yichuang.knowledge import actions
from yichuang.knowledge.models import ArticleEvent, ArticleFlag
from yichuang.knowledge.selectors import flags_for, knowledge_gaps
from yichuang.lib.errors import DomainError
from yichuang.org.calendar import add_workdays


def test_a_flag_goes_to_the_editor_with_a_deadline(county, publish, frozen):
    article = publish("faq", "社保卡补换要多久", "三天。")
    flag = actions.flag_raise(
        actor=county.clerk, article=article, reason="wrong", note="现在即时办结"
    )
    assert flag.assigned_to == county.county_admin
    assert flag.due_date == add_workdays(frozen_day(), actions.FLAG_WORKDAYS)
    assert list(flags_for(county.dept_lead)) == [flag]  # 人社's lead edits 社保 articles
    assert ArticleEvent.objects.filter(article=article, kind="flagged").exists()


def frozen_day():
    import datetime as dt

    return dt.date(2026, 3, 16)


def test_a_missing_answer_names_the_query_masked(county, lines):
    flag = actions.flag_raise(
        actor=county.clerk, reason="missing", query="13812345678 问退休金怎么算"
    )
    assert flag.article is None and "13812345678" not in flag.query


def test_a_flag_is_resolved_once(county, publish):
    article = publish("faq", "社保卡补换要多久", "三天。")
    flag = actions.flag_raise(actor=county.clerk, article=article, reason="outdated")
    actions.flag_resolve(actor=county.county_admin, flag=flag, status="resolved", resolution="已改")
    flag.refresh_from_db()
    assert flag.status == "resolved" and flag.resolved_by == county.county_admin
    with pytest.raises(DomainError) as err:
        actions.flag_resolve(actor=county.county_admin, flag=flag, status="dismissed")
    assert err.value.code == "knowledge.flag_closed"
    assert ArticleFlag.objects.get().status == "resolved"


def test_a_clerk_may_not_resolve(county, publish):
    article = publish("faq", "社保卡补换要多久", "三天。")
    flag = actions.flag_raise(actor=county.clerk, article=article, reason="wrong")
    with pytest.raises(DomainError) as err:
        actions.flag_resolve(actor=county.clerk, flag=flag, status="resolved")
    assert err.value.code == "knowledge.not_editor"
    assert ArticleFlag.objects.get().status == "open"


def test_the_gaps_list_counts_the_missed_queries(county):
    for query in ["退休金怎么算", "退休金怎么算", "独生子女费"]:
        actions.search_miss_record(query=query, user=None, kinds=None)
    assert knowledge_gaps() == [
        {"query": "退休金怎么算", "times": 2},
        {"query": "独生子女费", "times": 1},
    ]
