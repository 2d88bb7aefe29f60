"""The one Chinese search over published articles and catalogue items.

A query becomes a list of *groups*, one per thing asked for; each group is the
set of index terms that count as that thing (the word itself, its synonyms,
the terms its pinyin or initials spell, the terms one typo away). The token
table is then read through the ORM in one grouped query:

    rank = 10000 × (groups matched) + Σ weight × idf(group)

summed per document over the matched tokens (a title token weighs 10, a body
token 1; idf favours the rarer groups), ties broken by kind and id. When a
query mixes common words of the index with distinctive ones, only documents
holding a distinctive one are ranked (``distinctive``); when it has only
common words, only the documents with one in their title, if they fill the
page. Everything is integer
arithmetic on plain columns, so SQLite and PostgreSQL rank alike."""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Max, Q, Sum, Value, When, Window
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.catalog.models import Item
from yichuang.lib.errors import Unprocessable

from .models import Article, DocKind, SearchTerm, SearchToken, SynonymGroup
from .text import add_words, cut_query, is_cjk, pinyin_keys, plain_text, query_runs

MAX_QUERY = 100
MAX_GROUPS = 12
MAX_CANDIDATES = 12
COVERAGE = 10000
COMMON_FLOOR = 500
ARTICLE_KINDS = (DocKind.POLICY, DocKind.FAQ, DocKind.PHRASE)
ALL_KINDS = (*ARTICLE_KINDS, DocKind.ITEM)
PUBLIC_KINDS = (DocKind.FAQ, DocKind.ITEM)
SNIPPET = 90


@dataclass(frozen=True)
class SearchHit:
    """One ranked document: an article (``kind`` policy, faq or phrase, ``id``
    the article's) or a catalogue item (``kind`` item, ``id`` the item's,
    ``code`` its code). ``snippet`` is safe HTML: escaped text with ``<mark>``
    around the matched terms listed in ``highlights``."""

    kind: str
    id: int
    title: str
    snippet: str
    highlights: list[str]
    score: int
    code: str | None = None
    expired: bool = False


@dataclass
class SearchResult:
    hits: list[SearchHit]
    count: int
    groups: list[list[str]] = field(default_factory=list)


def check_query(query: str | None) -> str:
    """The query, stripped; an empty or over-long one is refused (422)."""
    text = (query or "").strip()
    if not text:
        raise Unprocessable("knowledge.query_empty", _("请输入要查找的内容。"))
    if len(text) > MAX_QUERY:
        raise Unprocessable(
            "knowledge.query_too_long",
            _("查找内容过长，请不超过 %(n)s 个字。") % {"n": MAX_QUERY},
            max_length=MAX_QUERY,
        )
    return text


# --- query → groups ---------------------------------------------------------


def synonym_map() -> dict[str, set[str]]:
    """Each word of a synonym group → every word of its groups (itself too)."""
    out: dict[str, set[str]] = {}
    for terms in SynonymGroup.objects.values_list("terms", flat=True):
        words = SynonymGroup(terms=terms).term_list()
        for word in words:
            out.setdefault(word, set()).update(words)
    return out


def _expand(terms: set[str], synonyms: dict[str, set[str]]) -> set[str]:
    out = set(terms)
    for term in terms:
        out |= synonyms.get(term, set())
    return out


def _known(terms: set[str]) -> set[str]:
    return set(SearchTerm.objects.filter(term__in=terms).values_list("term", flat=True))


def _most_common(terms: set[str], limit: int = MAX_CANDIDATES) -> set[str]:
    """The ``limit`` terms of ``terms`` found in most documents."""
    if len(terms) <= limit:
        return terms
    counts = dict(
        SearchToken.objects.filter(term__in=terms)
        .values("term")
        .annotate(n=Count("*"))
        .values_list("term", "n")
    )
    return set(sorted(terms, key=lambda t: (-counts.get(t, 0), t))[:limit])


def typo_candidates(word: str) -> set[str]:
    """Vocabulary terms one slip away from a 2–4 character Chinese ``word``:
    the same pinyin (低宝 → 低保), or one character wrong, missing or extra
    (edit distance 1; for two characters only a missing one)."""
    full, _initials = pinyin_keys(word)
    same_sound = set(
        SearchTerm.objects.filter(pinyin=full, length=len(word))
        .exclude(term=word)
        .values_list("term", flat=True)
    )
    if same_sound:
        return _most_common(same_sound)
    size = len(word)
    q = Q(term__in=[word[:i] + word[i + 1 :] for i in range(size)] if size > 2 else [])
    for i in range(size + 1):  # a character missing from the query
        q |= Q(length=size + 1, term__startswith=word[:i], term__endswith=word[i:])
    if size > 2:  # a wrong character
        for i in range(size):
            q |= Q(length=size, term__startswith=word[:i], term__endswith=word[i + 1 :])
    found = {t for t in SearchTerm.objects.filter(q).values_list("term", flat=True) if t != word}
    return _most_common({t for t in found if is_cjk(t)})


def _latin_pieces(word: str) -> list[set[str]] | None:
    """``word`` spelled as pinyin and/or initials of vocabulary terms, cut into
    the fewest pieces (a full-pinyin piece costs 1, an initials piece 1 plus
    its distance from two letters, so "dbsq" reads 低保 + 申请): one set of
    terms per piece, or ``None`` when it can't be read so."""
    size = len(word)
    subs = {word[i:j] for i in range(size) for j in range(i + 2, min(size, i + 30) + 1)}
    by_key: dict[str, set[str]] = {}
    costs: dict[str, int] = {}
    rows = SearchTerm.objects.filter(Q(pinyin__in=subs) | Q(initials__in=subs)).values_list(
        "term", "pinyin", "initials"
    )
    for term, full, initials in rows:
        if full in subs:
            by_key.setdefault(full, set()).add(term)
            costs[full] = 1
        if initials in subs and len(initials) == len(term):
            by_key.setdefault(initials, set()).add(term)
            costs.setdefault(initials, 1 + abs(len(initials) - 2))
    if not by_key:
        return None
    best: list[tuple[int, list[str]] | None] = [None] * (size + 1)
    best[0] = (0, [])
    for end in range(1, size + 1):
        for start in range(end):
            prior = best[start]
            key = word[start:end]
            if prior is None or key not in costs:
                continue
            option = (prior[0] + costs[key], [*prior[1], key])
            current = best[end]
            if current is None or option[0] < current[0]:
                best[end] = option
    done = best[size]
    if done is None:
        return None
    return [_most_common(by_key[key]) for key in done[1]]


def query_groups(query: str) -> list[set[str]]:
    """The groups a (checked) query asks for; empty when it holds no word
    (only punctuation or emoji). Search syntax (``"``, ``*``, ``OR``,
    ``NEAR``, ``-``, ``:``) has no meaning: its letters are words like any."""
    synonyms = synonym_map()
    add_words(synonyms)
    groups: list[set[str]] = []
    for run in query_runs(query):
        if run.isdigit():
            groups.append({run})
        elif not is_cjk(run):
            pieces = _latin_pieces(run)
            if pieces is None:
                groups.append({run})
            else:
                groups.extend(_expand(piece, synonyms) for piece in pieces)
        else:
            groups.extend(_cjk_groups(run, synonyms))
    unique: list[set[str]] = []
    for group in groups:
        if group and group not in unique:
            unique.append(group)
    return unique[:MAX_GROUPS]


def _cjk_groups(run: str, synonyms: dict[str, set[str]]) -> list[set[str]]:
    words = cut_query(run) or ([run] if len(run) > 1 else [])
    known = _known({run, *words}) | set(synonyms)
    if 2 <= len(run) <= 4 and run not in known and any(w not in known for w in words):
        fixes = typo_candidates(run)
        if fixes:
            return [_expand({run} | fixes, synonyms)]
    groups = []
    for word in words:
        group = {word}
        if word not in known and len(word) > 2:
            from .text import index_terms

            group |= _known(index_terms(word))
        groups.append(_expand(group, synonyms))
    return groups


# --- ranking ----------------------------------------------------------------


_doc_total: tuple[float, int] = (0.0, 0)


def _documents() -> int:
    """How many documents the index holds (kept a minute per process)."""
    global _doc_total
    stamp, total = _doc_total
    now = timezone.now().timestamp()
    if now - stamp > 60 or total == 0:
        total = (
            SearchToken.objects.filter(field=SearchToken.Field.TITLE)
            .values("doc_kind", "doc_id")
            .distinct()
            .count()
        )
        _doc_total = (now, total)
    return max(total, 1)


def group_frequencies(groups: list[set[str]]) -> list[int]:
    """How many token rows each group's terms have (its document frequency,
    a title and a body match counted apart)."""
    terms = set().union(*groups)
    counts = dict(
        SearchToken.objects.filter(term__in=terms)
        .values("term")
        .annotate(n=Count("*"))
        .values_list("term", "n")
    )
    return [sum(counts.get(t, 0) for t in g) for g in groups]


def _idf(groups: list[set[str]], frequencies: list[int] | None = None) -> list[int]:
    """An integer weight per group: 10 × log2(documents / frequency), at
    least 1, so the rarer words of a query count for more."""
    frequencies = frequencies if frequencies is not None else group_frequencies(groups)
    total = _documents()
    return [max(1, round(10 * math.log((total + 1) / (df + 1), 2))) for df in frequencies]


def distinctive(groups: list[set[str]], frequencies: list[int]) -> list[set[str]]:
    """The groups that are not common words of the index (found in at most a
    tenth of the documents, or ``COMMON_FLOOR`` rows). When a query has both,
    only documents holding a distinctive group are ranked: a document that
    matches nothing but 申请 and 办理 is no answer, and leaving it out keeps
    the ranked set small however large the library grows."""
    ceiling = max(COMMON_FLOOR, _documents() // 10)
    return [g for g, df in zip(groups, frequencies, strict=True) if df <= ceiling]


def search(
    query: str,
    *,
    kinds: list[str] | tuple[str, ...] | None = None,
    item: Item | None = None,
    include_expired: bool = False,
    user=None,
    limit: int = 20,
    offset: int = 0,
    today: dt.date | None = None,
) -> SearchResult:
    """Ranked published articles and items for ``query`` (checked: an empty or
    over-long one raises ``knowledge.query_empty`` / ``query_too_long``).
    ``kinds`` narrows to some of policy, faq, phrase, item; an anonymous
    ``user`` (``None`` or not signed in) gets faq and item results only.
    ``item`` narrows to that item and the articles linked to it. Expired or
    superseded policies are left out unless ``include_expired``."""
    text = check_query(query)
    allowed = ALL_KINDS if user is not None and user.is_authenticated else PUBLIC_KINDS
    wanted = [k for k in allowed if kinds is None or k in kinds]
    groups = query_groups(text)
    if not groups or not wanted:
        return SearchResult(hits=[], count=0, groups=[sorted(g) for g in groups])

    tokens = SearchToken.objects.filter(term__in=set().union(*groups), doc_kind__in=wanted)
    today = today or timezone.localdate()
    if not include_expired:
        tokens = tokens.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    if item is not None:
        linked = Article.items.through.objects.filter(item_id=item.pk).values("article_id")
        tokens = tokens.filter(
            Q(doc_kind=DocKind.ITEM, doc_id=item.pk)
            | (~Q(doc_kind=DocKind.ITEM) & Q(doc_id__in=linked))
        )
    frequencies = group_frequencies(groups)
    idf = _idf(groups, frequencies)
    rare = distinctive(groups, frequencies)
    holders = None
    if rare and len(rare) < len(groups):
        holders = tokens.filter(term__in=set().union(*rare))
    elif not rare:
        # Only common words: the documents naming one in their title, when
        # there are enough of them to fill the page.
        titled = tokens.filter(field=SearchToken.Field.TITLE)
        # Counted in full, without the model's ordering: a LIMIT (or the
        # ordering in the DISTINCT) steers PostgreSQL to walking every title
        # row in document order when few documents qualify.
        enough = titled.order_by().values("doc_kind", "doc_id").distinct().count()
        if enough >= offset + limit:
            holders = titled
    if holders is not None:
        candidates = Q()
        for kind in wanted:
            candidates |= Q(
                doc_kind=kind, doc_id__in=holders.filter(doc_kind=kind).values("doc_id")
            )
        tokens = tokens.filter(candidates)
    covered: list[Any] = [
        Max(Case(When(term__in=g, then=Value(1)), default=Value(0)), output_field=IntegerField())
        for g in groups
    ]
    coverage = reduce(lambda a, b: a + b, covered)
    weight = Sum(
        Case(
            *[
                When(term__in=g, then=F("weight") * Value(w))
                for g, w in zip(groups, idf, strict=True)
            ],
            default=Value(0),
            output_field=IntegerField(),
        )
    )
    ranked = (
        tokens.values("doc_kind", "doc_id")
        .annotate(coverage=coverage, weight=weight)
        .annotate(rank=F("coverage") * Value(COVERAGE) + F("weight"))
        # The number of ranked documents, counted over the same grouped rows
        # (a window over the groups): no second pass for the count.
        .annotate(total=Window(Count("*")))
        .order_by("-rank", "doc_kind", "doc_id")
    )
    page = list(ranked.values_list("doc_kind", "doc_id", "rank", "total")[offset : offset + limit])
    rows = [(kind, doc_id, rank) for kind, doc_id, rank, _total in page]
    # A page past the end holds no row to read the total from.
    count = page[0][3] if page else (ranked.count() if offset else 0)
    hits = _hits(rows, groups, today)
    return SearchResult(hits=hits, count=count, groups=[sorted(g) for g in groups])


# --- results ----------------------------------------------------------------


def _hits(
    rows: list[tuple[str, int, int]], groups: list[set[str]], today: dt.date
) -> list[SearchHit]:
    article_ids = [doc_id for kind, doc_id, _ in rows if kind != DocKind.ITEM]
    item_ids = [doc_id for kind, doc_id, _ in rows if kind == DocKind.ITEM]
    # Plain rows, not models: only what a hit shows.
    articles = (
        {
            pk: (title, body, until)
            for pk, title, body, until in Article.objects.filter(
                pk__in=article_ids, current_version__isnull=False
            )
            .order_by()
            .values_list("pk", "current_version__title", "current_version__body", "valid_until")
        }
        if article_ids
        else {}
    )
    items = (
        {
            pk: (name, conditions, code)
            for pk, name, conditions, code in Item.objects.filter(
                pk__in=item_ids, current_version__isnull=False
            )
            .order_by()
            .values_list("pk", "current_version__name", "current_version__conditions", "code")
        }
        if item_ids
        else {}
    )
    terms = sorted(set().union(*groups), key=lambda t: (-len(t), t)) if groups else []
    hits = []
    for kind, doc_id, rank in rows:
        code: str | None = None
        expired = False
        if kind == DocKind.ITEM:
            if doc_id not in items:
                continue
            title, body, code = items[doc_id]
            body = body or ""
        else:
            if doc_id not in articles:
                continue
            title, html_body, until = articles[doc_id]
            body = plain_text(html_body)
            expired = until is not None and until < today
        matched = [t for t in terms if t in title or t in body]
        hits.append(
            SearchHit(
                kind=kind,
                id=doc_id,
                title=title,
                snippet=snippet(body or title, matched),
                highlights=matched,
                score=rank,
                code=code,
                expired=expired,
            )
        )
    return hits


def snippet(text: str, terms: list[str], width: int = SNIPPET) -> str:
    """A window of ``text`` around the first matched term, HTML-escaped, the
    terms wrapped in ``<mark>``."""
    text = " ".join(text.split())
    if not terms:
        return html.escape(text[:width]) + ("…" if len(text) > width else "")
    pattern = re.compile("|".join(re.escape(t) for t in terms))
    found = pattern.search(text)
    start = max(0, found.start() - width // 4) if found else 0
    window = text[start : start + width]
    out = ["…" if start > 0 else ""]
    last = 0
    for match in pattern.finditer(window):
        out.append(html.escape(window[last : match.start()]))
        out.append(f"<mark>{html.escape(match.group())}</mark>")
        last = match.end()
    out.append(html.escape(window[last:]))
    if start + width < len(text):
        out.append("…")
    return "".join(out)
