"""Knowledge search benchmark: prints one JSON line.

- quality: the top-3 hit rate of the search over the held-out queries in
  ``bench/knowledge_queries.tsv`` (target ≥ 90 %), on the demo county's
  knowledge base and catalogue, next to a plain ``icontains`` baseline (title
  or text containing the query, title matches first) on the same set;
- speed, on SQLite and on PostgreSQL: search p50/p95 in ms with 20,000
  generated articles and 2,000 generated items added (target p95 < 50), and
  reindexing one article, p50/p95 in ms (target < 50).

Each database is measured by a child process of this script (``--db
sqlite|postgres``): SQLite in a temporary directory; PostgreSQL in the
database ``BENCH_PG_URL`` names (default
``postgres://postgres@127.0.0.1:5432/yichuang_bench_knowledge``, dropped and
created afresh; skipped when the server doesn't answer). Sizes:
BENCH_ARTICLES / BENCH_ITEMS. The machine's load average is printed with the
figures: on a shared machine they are noisy.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "bench" / "knowledge_queries.tsv"
ARTICLES = int(os.environ.get("BENCH_ARTICLES", 20_000))
ITEMS = int(os.environ.get("BENCH_ITEMS", 2_000))
PG_URL = os.environ.get(
    "BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/yichuang_bench_knowledge"
)
# Queries for the speed runs (the held-out set is added to them): everyday
# wording of the halls' business, in characters, pinyin and initials.
SPEED_QUERIES = [
    "低保",
    "dbsq",
    "dibao",
    "社保卡丢了",
    "医保",
    "异地就医备案",
    "户口迁移",
    "养老保险",
    "高龄津贴",
    "残疾证",
    "退役军人优待证",
    "灵活就业参保",
    "临时救助申请条件",
    "新生儿落户需要什么材料",
    "城乡居民医保缴费",
    "yibao",
    "sbk",
    "失业金怎么领",
    "独生子女",
    "结婚登记",
]


COMMON_WORDS = """申请 办理 材料 条件 流程 时限 窗口 本人 家属 证明 登记 变更 注销 补办 查询
标准 对象 年龄 收入 家庭 户籍 所在地 乡镇 社区 村委会 审核 公示 发放 银行 账户
复印件 原件 照片 表格 网上 线下 预约 现场 代办 委托 提交 领取 结果 通知 短信"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# --- the parent: one child per database, one JSON line ------------------------------------


def parent() -> None:
    out: dict = {"bench": "knowledge", "articles": ARTICLES, "items": ITEMS}
    out["load_avg"] = round(os.getloadavg()[0], 2)
    sqlite = child("sqlite", {})
    out["quality"] = sqlite.pop("quality")
    out["sqlite"] = sqlite
    if pg_reachable():
        pg = child("postgres", {"YICHUANG_DATABASE_URL": PG_URL})
        quality = pg.pop("quality")
        out["postgres"] = pg
        out["same_ranking"] = quality["rankings"] == out["quality"]["rankings"]
    else:
        out["postgres"] = None
    out["quality"].pop("rankings")
    print(json.dumps(out, ensure_ascii=False))


def pg_reachable() -> bool:
    try:
        import psycopg

        base, _sep, name = PG_URL.rpartition("/")
        with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return True
    except Exception:
        return False


def child(db: str, env: dict[str, str]) -> dict:
    environ = {k: v for k, v in os.environ.items() if k != "YICHUANG_DATABASE_URL"}
    environ.update(env)
    proc = subprocess.run(
        [sys.executable, __file__, "--db", db],
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"the {db} run failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- a child: one database ----------------------------------------------------------------


def setup_django(db: str) -> None:
    from benchenv import django_start  # bench/, the script's own folder

    url = os.environ.get("YICHUANG_DATABASE_URL") if db == "postgres" else None
    django_start(f"knowledge-{db}", database=url)


def build_demo() -> None:
    from django.core.management import call_command
    from tests.conftest import ensure_county

    from yichuang.demo import catalog, lines
    from yichuang.demo.base import DemoRun
    from yichuang.knowledge.indexing import reindex_items_changed
    from yichuang.org.models import Centre, Department

    call_command("migrate", verbosity=0)
    ensure_county()
    run = DemoRun(seed=5)
    run.ctx.update(
        departments={d.code: d for d in Department.objects.all()},
        centres=list(Centre.objects.all()),
        hall=Centre.objects.get(code="county-hall"),
    )
    catalog.build(run)
    from yichuang.demo import queueing

    queueing.build_structure()
    lines.map_lines()
    try:
        from yichuang.demo import knowledge
    except ImportError:
        knowledge = None
    if knowledge is not None:
        knowledge.build(run)
    reindex_items_changed()


def load_queries() -> list[tuple[str, list[str]]]:
    """``(query, [acceptable answers])`` from the TSV: the first column is the
    query, the second what it should find — a title or an item code, several
    separated by ``|``. Lines starting with ``#`` and a header are skipped."""
    if not QUERIES.exists():
        return []
    rows = []
    for line in QUERIES.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 2 or cols[0].strip().lower() == "query":
            continue
        rows.append((cols[0].strip(), [a.strip() for a in cols[1].split("|") if a.strip()]))
    return rows


def _found(answers: list[str], hits: list[tuple[str, str | None]]) -> bool:
    return any(title in answers or (code and code in answers) for title, code in hits)


def baseline(query: str) -> list[tuple[str, str | None]]:
    """Plain ``icontains`` on the published articles' and items' titles and
    texts, title matches first."""
    from django.db.models import Case, IntegerField, Q, Value, When

    from yichuang.catalog.models import Item
    from yichuang.knowledge.models import Article

    title_first = Case(
        When(title__icontains=query, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    articles = (
        Article.objects.published()
        .filter(
            Q(title__icontains=query) | Q(current_version__body__icontains=query),
            kind__in=["faq", "policy", "phrase"],
        )
        .annotate(first=title_first)
        .order_by("first", "id")
        .values_list("title", flat=True)[:3]
    )
    item_first = Case(
        When(name__icontains=query, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    items = (
        Item.objects.published()
        .filter(Q(name__icontains=query) | Q(current_version__conditions__icontains=query))
        .annotate(first=item_first)
        .order_by("first", "id")
        .values_list("name", "code")[:3]
    )
    ranked = [(0, t, None) for t in articles] + [(0, n, c) for n, c in items]
    return [(t, c) for _f, t, c in ranked][:3]


def quality(queries: list[tuple[str, list[str]]]) -> dict:
    from yichuang.accounts.models import User
    from yichuang.knowledge.search import search

    clerk = User.objects.get(username="clerk_county")
    hit = base = 0
    rankings = []
    misses = []
    for query, answers in queries:
        hits = search(query, user=clerk, limit=3).hits
        rankings.append([(h.kind, h.title, h.score) for h in hits])
        if _found(answers, [(h.title, h.code) for h in hits]):
            hit += 1
        else:
            misses.append(query)
        if _found(answers, baseline(query)):
            base += 1
    n = len(queries)
    return {
        "queries": n,
        "top3_hit_rate": round(hit / n, 3) if n else None,
        "icontains_top3_hit_rate": round(base / n, 3) if n else None,
        "missed": misses,
        "rankings": rankings,
    }


def topic_words() -> dict[str, list[str]]:
    """The county dictionary's words by its sections (社保 · 就业, 医保 …):
    a generated article is about one topic, as a real one is."""
    from yichuang.knowledge.text import DICTIONARY

    topics: dict[str, list[str]] = {}
    section = ""
    for line in DICTIONARY.read_text(encoding="utf-8").splitlines():
        if line.startswith("# ") and "," not in line and len(line) < 20:
            section = line[2:].strip()
        elif line.strip() and not line.startswith("#") and section:
            topics.setdefault(section, []).append(line.split()[0])
    return topics


def generate(seed: int = 11) -> None:
    """ARTICLES published articles and ITEMS published items, each about one
    topic of the county dictionary (its service terms, two general ones and
    everyday words), indexed in bulk the way ``knowledge.indexing`` indexes
    one."""
    from django.db import connection, transaction
    from django.utils import timezone

    from yichuang.catalog.models import Item, ItemVersion
    from yichuang.knowledge.indexing import BODY_WEIGHT, TITLE_WEIGHT, vocabulary_add
    from yichuang.knowledge.models import Article, ArticleVersion, DocKind, SearchToken
    from yichuang.knowledge.text import index_terms
    from yichuang.org.models import Department

    rng = random.Random(seed)
    topics = topic_words()
    general = topics.pop("综合受理 · 通用", [])
    common = COMMON_WORDS.split()
    tails = ["怎么办理", "申请条件", "需要什么材料", "办理流程", "实施办法", "常见问题", "有关规定"]
    now = timezone.now()
    departments = list(Department.objects.all())
    with transaction.atomic():
        articles, versions = [], []
        for n in range(ARTICLES):
            kind = rng.choices(["faq", "policy", "phrase"], weights=[6, 3, 1])[0]
            terms = topics[rng.choice(sorted(topics))]
            title = "".join(rng.sample(terms, rng.randint(1, 2))) + rng.choice(tails)
            words = rng.choices(terms, k=rng.randint(3, 8)) + rng.choices(general, k=2)
            words += rng.choices(common, k=40)
            rng.shuffle(words)
            body = "，".join("".join(words[i : i + 4]) for i in range(0, len(words), 4)) + "。"
            articles.append(Article(kind=kind, title=title, status="published", code=f"g{n}"))
            versions.append((title, body))
        Article.objects.bulk_create(articles, batch_size=2000)
        made = list(Article.objects.filter(code__startswith="g").order_by("id"))
        ArticleVersion.objects.bulk_create(
            [
                ArticleVersion(article=a, number=1, title=t, body=f"<p>{b}</p>", published_at=now)
                for a, (t, b) in zip(made, versions, strict=True)
            ],
            batch_size=2000,
        )
        current = dict(
            ArticleVersion.objects.filter(article__code__startswith="g").values_list(
                "article_id", "id"
            )
        )
        for a in made:
            a.current_version_id = current[a.pk]
        Article.objects.bulk_update(made, ["current_version"], batch_size=2000)

        items = [
            Item(
                code=f"G{n:05d}",
                department=rng.choice(departments),
                name="".join(rng.sample(topics[sorted(topics)[n % len(topics)]], 2))
                + rng.choice(["申领", "登记", "办理", "认定"]),
            )
            for n in range(ITEMS)
        ]
        Item.objects.bulk_create(items, batch_size=2000)
        items = list(Item.objects.filter(code__startswith="G").order_by("id"))
        ItemVersion.objects.bulk_create(
            [
                ItemVersion(
                    item=i,
                    number=1,
                    status="published",
                    name=i.name,
                    conditions="，".join(rng.choices(common + general, k=20)),
                    published_at=now,
                )
                for i in items
            ],
            batch_size=2000,
        )
        iv = dict(
            ItemVersion.objects.filter(item__code__startswith="G").values_list("item_id", "id")
        )
        for i in items:
            i.current_version_id = iv[i.pk]
        Item.objects.bulk_update(items, ["current_version"], batch_size=2000)

        rows, vocabulary = [], set()
        docs = [(a.kind, a.pk, t, b) for a, (t, b) in zip(made, versions, strict=True)]
        docs += [(DocKind.ITEM, i.pk, i.name, "") for i in items]
        for kind, pk, title, body in docs:
            title_terms = index_terms(title)
            body_terms = index_terms(body) - title_terms
            vocabulary |= title_terms | body_terms
            rows += [
                SearchToken(doc_kind=kind, doc_id=pk, term=t, field="title", weight=TITLE_WEIGHT)
                for t in title_terms
            ]
            rows += [
                SearchToken(doc_kind=kind, doc_id=pk, term=t, field="body", weight=BODY_WEIGHT)
                for t in body_terms
            ]
            if len(rows) > 20_000:
                SearchToken.objects.bulk_create(rows, batch_size=5000)
                rows = []
        SearchToken.objects.bulk_create(rows, batch_size=5000)
        vocabulary_add(vocabulary)
    with connection.cursor() as cur:
        # On PostgreSQL, VACUUM too: what autovacuum does after a bulk load,
        # so the visibility map lets the covering index answer on its own.
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def speed(queries: list[str]) -> dict:
    from yichuang.accounts.models import User
    from yichuang.knowledge.indexing import reindex_article
    from yichuang.knowledge.models import Article, SearchToken
    from yichuang.knowledge.search import search

    clerk = User.objects.get(username="clerk_county")
    for query in queries[:5]:  # warm the segmenter and the caches
        search(query, user=clerk)
    timings = []
    for _round in range(3):
        for query in queries:
            start = time.perf_counter()
            search(query, user=clerk)
            timings.append((time.perf_counter() - start) * 1000)
    ids = list(Article.objects.filter(code__startswith="g").values_list("id", flat=True)[:60])
    reindex = []
    for pk in ids:
        article = Article.objects.select_related("current_version").get(pk=pk)
        start = time.perf_counter()
        reindex_article(article)
        reindex.append((time.perf_counter() - start) * 1000)
    return {
        "tokens": SearchToken.objects.count(),
        "searches": len(timings),
        "search_p50_ms": round(statistics.median(timings), 1),
        "search_p95_ms": round(percentile(timings, 0.95), 1),
        "reindex_p50_ms": round(statistics.median(reindex), 1),
        "reindex_p95_ms": round(percentile(reindex, 0.95), 1),
    }


def run_child(db: str) -> None:
    setup_django(db)
    build_demo()
    queries = load_queries()
    result = {"quality": quality(queries)}
    started = time.perf_counter()
    generate()
    result["generate_s"] = round(time.perf_counter() - started, 1)
    result.update(speed(SPEED_QUERIES + [q for q, _a in queries]))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--db":
        run_child(sys.argv[2])
    else:
        parent()
