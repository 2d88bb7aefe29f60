"""One ranking on SQLite and PostgreSQL: the ORM's grouped query gives the
same order and scores as the ranking rule computed in plain Python from the
token table (this file runs on both databases in CI), and re-running it
gives the same answer."""

import pytest

from yichuang.knowledge.models import SearchToken
from yichuang.knowledge.search import (
    COVERAGE,
    _idf,
    distinctive,
    group_frequencies,
    query_groups,
    search,
)


def reference(query, today, limit=50):
    """The ranking rule, in Python: 10000 × groups matched + Σ weight × idf,
    then kind and id; with common and distinctive groups, only the documents
    holding a distinctive one."""
    groups = query_groups(query)
    frequencies = group_frequencies(groups)
    idf = _idf(groups, frequencies)
    rare = distinctive(groups, frequencies)
    needed = set().union(*rare) if rare and len(rare) < len(groups) else None
    titled_only = False
    if not rare:
        titled = SearchToken.objects.filter(term__in=set().union(*groups), field="title").exclude(
            valid_until__lt=today
        )
        titled_only = len(set(titled.values_list("doc_kind", "doc_id"))) >= limit
    terms = set().union(*groups)
    docs: dict[tuple[str, int], list] = {}
    rows = SearchToken.objects.filter(term__in=terms).values_list(
        "doc_kind", "doc_id", "term", "weight", "valid_until", "field"
    )
    for kind, doc_id, term, weight, until, field in rows:
        if until is not None and until < today:
            continue
        doc = docs.setdefault((kind, doc_id), [set(), 0, set(), False])
        doc[2].add(term)
        doc[3] = doc[3] or field == "title"
        for i, group in enumerate(groups):
            if term in group:
                doc[0].add(i)
                doc[1] += weight * idf[i]
                break
    ranked = [
        (kind, doc_id, len(covered) * COVERAGE + total)
        for (kind, doc_id), (covered, total, terms, in_title) in docs.items()
        if (needed is None or terms & needed) and (in_title or not titled_only)
    ]
    return sorted(ranked, key=lambda r: (-r[2], r[0], r[1]))


@pytest.fixture
def library(catalogue, publish):
    publish("faq", "低保申请要什么材料", "身份证、户口簿、收入证明。", lines=["minzheng"])
    publish("faq", "低保多久复核一次", "每年复核。", lines=["minzheng"])
    publish("faq", "社保卡丢了怎么补", "先挂失，再到银行网点补换。")
    publish("policy", "云溪县最低生活保障实施细则", "低保对象、标准和程序。", lines=["minzheng"])
    publish("faq", "医疗保险断缴怎么办", "三个月内补缴。", lines=["yibao"])
    publish("phrase", "请您出示身份证", "索要材料时使用。", moment="materials")


@pytest.mark.parametrize(
    "query", ["低保", "dbsq", "社保卡丢了", "医保", "申请材料", "身份证", "户口迁移", "低宝"]
)
def test_the_orm_ranking_is_the_rule(county, library, query):
    from django.utils import timezone

    today = timezone.localdate()
    result = search(query, user=county.clerk, limit=50, today=today)
    got = [(h.kind, h.id, h.score) for h in result.hits]
    expected = reference(query, today)
    assert got == expected[:50]
    assert result.count == len(expected)
    assert got  # every query of the set finds something


@pytest.mark.parametrize("query", ["申请材料", "低保申请", "社保卡补办", "身份证明", "申请"])
def test_common_words_alone_do_not_make_an_answer(county, library, monkeypatch, query):
    """With a low ceiling, 申请 and 材料 are common words: the documents
    holding only them are left out, on both paths alike."""
    from django.utils import timezone

    from yichuang.knowledge import search as module

    monkeypatch.setattr(module, "COMMON_FLOOR", 1)
    monkeypatch.setattr(module, "_doc_total", (0.0, 0))
    today = timezone.localdate()
    for limit in (2, 50):
        hits = search(query, user=county.clerk, limit=limit).hits
        assert [(h.kind, h.id, h.score) for h in hits] == reference(query, today, limit)[:limit]


def test_it_is_deterministic(county, library):
    first = [(h.kind, h.id, h.score) for h in search("低保", user=county.clerk).hits]
    again = [(h.kind, h.id, h.score) for h in search("低保", user=county.clerk).hits]
    assert first == again
