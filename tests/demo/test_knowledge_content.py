"""The demo knowledge base's data (demo/knowledge_content.py) and the held-out
search queries (bench/knowledge_queries.tsv) hold together: unique keys and
titles, every item code in the demo catalogue, every Q&A resting on a current
policy, every query pointing at something that exists, the minimum counts, no
personal numbers and only the simple HTML the bodies are written in."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

from yichuang.demo import knowledge_content as content
from yichuang.demo.catalog import DEPT_NUMBER, ITEMS
from yichuang.demo.lines import DEPARTMENT_LINES
from yichuang.org.models import DEFAULT_LINES

QUERIES = Path(__file__).resolve().parents[2] / "bench" / "knowledge_queries.tsv"
LINES = {code for code, _name in DEFAULT_LINES}
SERVICE_LINES = LINES - {"zonghe"}
MOMENTS = {"greeting", "materials", "refusing", "apologising", "seeing_off"}
ALLOWED_TAGS = {"p", "ul", "li", "strong"}
ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
TAG = re.compile(r"<\s*(/?)\s*([A-Za-z0-9]+)([^>]*)>")


def catalogue() -> dict[str, str]:
    """Item code → department code, as demo/catalog.py numbers them."""
    return {
        f"3699210{DEPT_NUMBER[dept]}{n:03d}": dept
        for dept, rows in ITEMS.items()
        for n in range(1, len(rows) + 1)
    }


def articles() -> list[dict]:
    return [*content.POLICIES, *content.FAQS, *content.PHRASES]


def title(row: dict) -> str:
    return row.get("question") or row.get("forbidden") or row.get("text") or row["title"]


def texts(row: dict) -> list[str]:
    return [v for v in row.values() if isinstance(v, str)]


def load_queries() -> list[tuple[str, list[str]]]:
    rows = []
    for line in QUERIES.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        assert len(cols) == 2, line
        if cols[0].strip().lower() == "query":
            continue
        rows.append((cols[0].strip(), [a.strip() for a in cols[1].split("|") if a.strip()]))
    return rows


def test_the_counts_reach_the_minimums():
    assert len(content.POLICIES) >= 22
    assert len(content.FAQS) >= 65
    moments = Counter(row.get("moment") for row in content.PHRASES if "moment" in row)
    assert set(moments) == MOMENTS
    assert min(moments.values()) >= 4
    forbidden = [row for row in content.PHRASES if "forbidden" in row]
    assert len(forbidden) >= 15
    assert all(row["instead"].strip() and row["instead"] != row["forbidden"] for row in forbidden)


def test_keys_and_titles_are_unique():
    keys = [row["key"] for row in articles()]
    assert len(keys) == len(set(keys))
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]{1,59}", key) for key in keys), keys
    titles = [title(row) for row in articles()]
    assert [t for t, n in Counter(titles).items() if n > 1] == []
    assert all(0 < len(t) <= 200 for t in titles)


def test_every_item_and_line_exists():
    items = catalogue()
    for row in articles():
        assert set(row.get("items", [])) <= set(items), row["key"]
        assert set(row.get("lines", [])) <= LINES, row["key"]
    for row in [*content.POLICIES, *content.FAQS]:
        assert row["lines"], row["key"]


def test_the_qa_cover_every_line_and_rest_on_current_policies():
    policies = {row["key"]: row for row in content.POLICIES}
    for row in content.FAQS:
        policy = policies[row["rests_on"]]
        assert not policy["superseded_by"], row["key"]
        assert row["question"].strip() and row["answer"].strip()
    per_line = Counter(line for row in content.FAQS for line in row["lines"])
    assert all(per_line[line] >= 3 for line in SERVICE_LINES), per_line


def test_policies_have_dates_successors_and_honest_document_numbers():
    keys = {row["key"] for row in content.POLICIES}
    no_longer_current = 0
    for row in content.POLICIES:
        start = dt.date.fromisoformat(row["effective_from"])
        if row["expires_on"]:
            assert dt.date.fromisoformat(row["expires_on"]) >= start
        if row["superseded_by"]:
            assert row["superseded_by"] in keys and row["superseded_by"] != row["key"]
        no_longer_current += bool(row["superseded_by"] or row["expires_on"])
        assert row["issuer"].strip()
        if "云溪县" in row["issuer"]:
            # the county's own (fictional) documents carry its own numbers
            assert row["doc_number"].startswith("云"), row["key"]
        else:
            # national laws and regulations are cited by name only
            assert row["doc_number"] == "", row["key"]
    assert no_longer_current >= 2


def test_bodies_use_only_simple_html():
    for row in articles():
        for field in ("body", "answer", "note"):
            html = row.get(field) or ""
            stack = []
            for closing, tag, attrs in TAG.findall(html):
                assert tag.lower() in ALLOWED_TAGS, (row["key"], tag)
                assert not attrs.strip(), (row["key"], attrs)
                if closing:
                    assert stack and stack.pop() == tag, row["key"]
                else:
                    stack.append(tag)
            assert stack == [], row["key"]
            assert "<" not in TAG.sub("", html), row["key"]


def test_nothing_looks_like_an_id_or_phone_number():
    strings = [s for row in articles() for s in texts(row)]
    strings += [query for query, _answers in load_queries()]
    for text in strings:
        assert not ID_NUMBER.search(text), text
        assert not MOBILE.search(text), text


def test_every_query_points_at_something_that_exists():
    queries = load_queries()
    assert len(queries) >= 70
    assert len({q for q, _a in queries}) == len(queries)
    items = catalogue()
    by_title = {title(row): row for row in articles()}
    lines: Counter[str] = Counter()
    for query, answers in queries:
        assert query and answers, query
        for answer in answers:
            if answer in items:
                lines.update(DEPARTMENT_LINES[items[answer]])
                continue
            assert answer in by_title, (query, answer)
            row = by_title[answer]
            # the search leaves superseded or expired policies out
            assert not row.get("superseded_by") and not row.get("expires_on"), answer
            lines.update(row.get("lines", []))
    assert set(lines) >= SERVICE_LINES, lines
