"""Pages of the knowledge base: the staff search, an article with its
versions, the editors' pages (write, edit, publish, flags, knowledge gaps),
the fragments other pages load by URL (the answers beside the console and
the case intake, the Q&A of a guide page) and the citizens' FAQ on /m/faq/.
Thin: reads through ``selectors``, every change through ``actions``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncWeek
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yichuang.catalog.models import Item
from yichuang.lib.audit import audit_record, client_ip
from yichuang.lib.errors import DomainError, NotFound, TooManyRequests, Unprocessable
from yichuang.lib.throttle import Rule, rule_hit
from yichuang.org.permissions import hall_staff_required

from . import actions, permissions, selectors
from .models import Article, ArticleFlag, DocKind, Kind, Moment, SearchMiss
from .search import ALL_KINDS

# Anonymous searches on /m/faq/ per client address and hour, like the other
# anonymous pages (each search reads the token table).
FAQ_SEARCHES = Rule("knowledge-faq-ip", 120, 3600)
FRAGMENT_ITEMS = 40
GAP_WEEKS = 8


def _run_search(request: HttpRequest, query: str, **kwargs: Any) -> dict[str, Any]:
    """The search's context: its result, or the refusal of a bad query (the
    page still renders); a search finding nothing is logged, masked."""
    if not query.strip():
        return {"result": None}
    try:
        result = selectors.search(query, user=request.user, **kwargs)
    except DomainError as exc:
        return {"result": None, "error": exc}
    if result.count == 0 and result.groups:
        item = kwargs.get("item")
        actions.search_miss_record(
            query=query,
            user=request.user,
            kinds=kwargs.get("kinds"),
            item_code=item.code if item else "",
        )
    return {"result": result}


# --- staff: search and articles ------------------------------------------------------------


@hall_staff_required
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:500]
    kind = request.GET.get("kind", "")
    include_expired = request.GET.get("expired") == "1"
    kinds = [kind] if kind in ALL_KINDS else None
    context: dict[str, Any] = {
        "q": q,
        "kind": kind if kinds else "",
        "include_expired": include_expired,
        "kinds": DocKind.choices,
        "is_editor": permissions.is_editor(request.user),
    }
    context.update(_run_search(request, q, kinds=kinds, include_expired=include_expired))
    return render(request, "knowledge/search.html", context)


@hall_staff_required
@require_GET
def article_page(request: HttpRequest, article_id: int) -> HttpResponse:
    article = selectors.get_article_for(request.user, article_id)
    versions = selectors.article_versions_for(request.user, article)
    shown = article.current_version or (versions[0] if versions else None)
    wanted = request.GET.get("v", "")
    if wanted.isdigit():
        shown = next((v for v in versions if v.number == int(wanted)), None)
        if shown is None:
            raise NotFound("knowledge.version_not_found", _("没有找到该版本。"))
    may_edit = permissions.can_edit(request.user, article)
    context = {
        "article": article,
        "version": shown,
        "versions": versions,
        "items": article.items.order_by("code"),
        "lines": article.lines.all(),
        "expired": not article.is_current_on(),
        "may_edit": may_edit,
        "is_editor": permissions.is_editor(request.user),
        "pending": may_edit and any(v.published_at is None for v in versions),
        "flag_reasons": ArticleFlag.Reason.choices,
    }
    return render(request, "knowledge/article.html", context)


@hall_staff_required
@require_GET
def attachment(request: HttpRequest, article_id: int, number: int) -> FileResponse:
    article = selectors.get_article_for(request.user, article_id)
    version = next(
        (v for v in selectors.article_versions_for(request.user, article) if v.number == number),
        None,
    )
    if version is None or not version.attachment:
        raise NotFound("knowledge.attachment_not_found", _("没有找到该附件。"))
    audit_record(
        "knowledge.attachment_read", actor=request.user, obj=article, version=version.number
    )
    name = version.attachment.name.rsplit("/", 1)[-1]
    return FileResponse(
        version.attachment.open("rb"),
        as_attachment=True,
        filename=name,
        content_type="application/pdf",
    )


# --- editors -------------------------------------------------------------------------------


def _date(request: HttpRequest, name: str) -> dt.date | None:
    raw = request.POST.get(name, "").strip()
    if not raw:
        return None
    try:
        day = parse_date(raw) if len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise Unprocessable("knowledge.bad_date", _("日期格式应为 YYYY-MM-DD。"), field=name)
    return day


def _article_id(request: HttpRequest, name: str) -> int | None:
    raw = request.POST.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise Unprocessable("knowledge.unknown_policy", _("引用的政策文件不存在。"), field=name)
    return int(raw)


def _content(request: HttpRequest) -> actions.ArticleContent:
    upload = request.FILES.get("attachment")
    items = [c.strip() for c in request.POST.get("items", "").replace("，", ",").split(",")]
    return actions.ArticleContent(
        title=request.POST.get("title", ""),
        body=request.POST.get("body", ""),
        issuer=request.POST.get("issuer", ""),
        doc_number=request.POST.get("doc_number", ""),
        effective_from=_date(request, "effective_from"),
        expires_on=_date(request, "expires_on"),
        superseded_by=_article_id(request, "superseded_by"),
        rests_on=_article_id(request, "rests_on"),
        moment=request.POST.get("moment", ""),
        replacement=request.POST.get("replacement", ""),
        attachment=upload.read() if upload else None,
        attachment_name=upload.name if upload else "",
        items=[c for c in items if c],
        lines=request.POST.getlist("lines"),
    )


def _editor_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "kinds": Kind.choices,
        "moments": Moment.choices,
        "my_lines": permissions.editor_lines(request.user).order_by("sort", "code"),
        "policies": Article.objects.published()
        .filter(kind=Kind.POLICY)
        .order_by("title")
        .only("id", "title")[:500],
        "form": request.POST,
        **extra,
    }


@hall_staff_required
@require_http_methods(["GET", "POST"])
def article_new(request: HttpRequest) -> HttpResponse:
    permissions.require_editor(request.user)
    kind = request.POST.get("kind") or request.GET.get("kind") or Kind.FAQ
    context = _editor_context(request, kind=kind, article=None, chosen_lines=[])
    if request.method == "POST":
        context["chosen_lines"] = request.POST.getlist("lines")
        try:
            article = actions.article_create(
                actor=request.user,
                kind=kind,
                content=_content(request),
                publish=request.POST.get("publish") == "1",
            )
        except DomainError as exc:
            context["error"] = exc
            return render(request, "knowledge/edit.html", context, status=exc.status)
        return redirect("knowledge:article", article_id=article.pk)
    return render(request, "knowledge/edit.html", context)


@hall_staff_required
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, article_id: int) -> HttpResponse:
    permissions.require_editor(request.user)
    article = selectors.get_editable_article_for(request.user, article_id)
    latest = article.versions.order_by("-number").first()
    initial: dict[str, Any] = {}
    if latest is not None:
        initial = {
            "title": latest.title,
            "body": latest.body,
            "issuer": latest.issuer,
            "doc_number": latest.doc_number,
            "effective_from": latest.effective_from.isoformat() if latest.effective_from else "",
            "expires_on": latest.expires_on.isoformat() if latest.expires_on else "",
            "superseded_by": str(latest.superseded_by_id or ""),
            "rests_on": str(latest.rests_on_id or ""),
            "moment": latest.moment,
            "replacement": latest.replacement,
            "items": ",".join(article.items.order_by("code").values_list("code", flat=True)),
        }
    context = _editor_context(
        request,
        kind=article.kind,
        article=article,
        chosen_lines=list(article.lines.values_list("code", flat=True)),
    )
    if request.method == "GET":
        context["form"] = initial
        return render(request, "knowledge/edit.html", context)
    context["chosen_lines"] = request.POST.getlist("lines")
    try:
        actions.article_edit(actor=request.user, article=article, content=_content(request))
    except DomainError as exc:
        context["error"] = exc
        return render(request, "knowledge/edit.html", context, status=exc.status)
    return redirect("knowledge:article", article_id=article.pk)


@hall_staff_required
@require_POST
def article_publish(request: HttpRequest, article_id: int) -> HttpResponse:
    permissions.require_editor(request.user)
    article = selectors.get_editable_article_for(request.user, article_id)
    actions.article_publish(actor=request.user, article=article)
    return redirect("knowledge:article", article_id=article.pk)


# --- flags and gaps ------------------------------------------------------------------------


@hall_staff_required
@require_POST
def flag_new(request: HttpRequest) -> HttpResponse:
    """A clerk flags a wrong or missing answer (from the article page or a
    fragment); the flag goes to the article's editor with a deadline."""
    article = None
    raw = request.POST.get("article", "")
    if raw.isdigit():
        article = selectors.get_article_for(request.user, int(raw))
    item = Item.objects.filter(code=request.POST.get("item", "")[:40]).first()
    try:
        flag = actions.flag_raise(
            actor=request.user,
            reason=request.POST.get("reason", ""),
            article=article,
            note=request.POST.get("note", ""),
            query=request.POST.get("query", ""),
            item=item,
        )
    except DomainError as exc:
        if request.headers.get("HX-Request"):
            return render(request, "knowledge/_flagged.html", {"error": exc}, status=exc.status)
        raise
    if request.headers.get("HX-Request"):
        return render(request, "knowledge/_flagged.html", {"flag": flag})
    if article is not None:
        return redirect(reverse("knowledge:article", args=[article.pk]) + "?flagged=1")
    return redirect(reverse("knowledge:search") + "?flagged=1")


@hall_staff_required
@require_GET
def flags_page(request: HttpRequest) -> HttpResponse:
    permissions.require_editor(request.user)
    status = request.GET.get("status", ArticleFlag.Status.OPEN)
    if status not in ArticleFlag.Status.values:
        status = ArticleFlag.Status.OPEN
    flags = selectors.flags_for(request.user, status=status).select_related("assigned_to")
    context = {
        "flags": flags[:200],
        "status": status,
        "statuses": ArticleFlag.Status.choices,
        "today": timezone.localdate(),
    }
    return render(request, "knowledge/flags.html", context)


@hall_staff_required
@require_POST
def flag_resolve(request: HttpRequest, flag_id: int) -> HttpResponse:
    permissions.require_editor(request.user)
    flag = selectors.flags_for(request.user, status=None).filter(pk=flag_id).first()
    if flag is None:
        raise NotFound("knowledge.flag_not_found", _("没有找到该反馈。"))
    actions.flag_resolve(
        actor=request.user,
        flag=flag,
        status=request.POST.get("status", ""),
        resolution=request.POST.get("resolution", ""),
    )
    return redirect("knowledge:flags")


@hall_staff_required
@require_GET
def gaps_page(request: HttpRequest) -> HttpResponse:
    """The searches that found nothing, by week (the newest first), most
    frequent first within a week: the county's knowledge gaps."""
    permissions.require_editor(request.user)
    since = timezone.now() - dt.timedelta(weeks=GAP_WEEKS)
    rows = (
        SearchMiss.objects.filter(created_at__gte=since)
        .annotate(week=TruncWeek("created_at"))
        .values("week", "query")
        .annotate(times=Count("id"))
        .order_by("-week", "-times", "query")
    )
    weeks: dict[dt.date, list[dict]] = {}
    for row in rows[:2000]:
        week = row["week"].date() if isinstance(row["week"], dt.datetime) else row["week"]
        weeks.setdefault(week, []).append(row)
    context = {
        "weeks": [
            {
                "start": w,
                "end": w + dt.timedelta(days=6),
                "rows": r,
                "total": sum(x["times"] for x in r),
            }
            for w, r in weeks.items()
        ],
        "week_count": GAP_WEEKS,
    }
    return render(request, "knowledge/gaps.html", context)


# --- fragments -----------------------------------------------------------------------------


def _items_from(request: HttpRequest) -> list[Item]:
    """The items named by ``item=`` codes, or else the published items of the
    business lines named by ``line=`` codes (a queue's lines)."""
    codes = [c[:40] for c in request.GET.getlist("item")[:FRAGMENT_ITEMS] if c]
    if codes:
        return list(Item.objects.filter(code__in=codes).order_by("code"))
    lines = [c[:40] for c in request.GET.getlist("line")[:FRAGMENT_ITEMS] if c]
    if lines:
        return list(Item.objects.published().filter(lines__code__in=lines).distinct())
    return []


@hall_staff_required
@require_GET
def fragment_answers(request: HttpRequest) -> HttpResponse:
    """The top Q&A (and, with ``policies=1``, the policies) of the items named
    by ``item=`` codes: loaded by the console for the ticket's queue and by the
    case intake for the chosen item. Published articles only, which every
    member of staff may read; nothing of the ticket or case is read here."""
    items = _items_from(request)
    q = request.GET.get("q", "")[:500]
    context: dict[str, Any] = {
        "items": items,
        "q": q,
        "faqs": selectors.faqs_for_items(items, limit=5) if items else [],
        "policies": [],
        "item_codes": [i.code for i in items][:FRAGMENT_ITEMS],
        "flag_reasons": ArticleFlag.Reason.choices,
    }
    if request.GET.get("policies") == "1" and len(items) == 1:
        context["policies"] = selectors.policies_for_item(items[0])
    if q:
        context.update(_run_search(request, q, limit=8))
    return render(request, "knowledge/_answers.html", context)


@require_GET
def m_item_fragment(request: HttpRequest, code: str) -> HttpResponse:
    """The published Q&A of one item, for its guide page on /m/items/."""
    item = Item.objects.filter(code=code[:40]).first()
    faqs = selectors.faqs_for_items([item], limit=10) if item else []
    return render(request, "knowledge/_m_item_faq.html", {"item": item, "faqs": faqs})


# --- citizens ------------------------------------------------------------------------------


@require_GET
def m_faq(request: HttpRequest) -> HttpResponse:
    """/m/faq/: the published Q&A and the catalogue's items for a citizen
    (anonymous: nothing else), limited per client address."""
    q = request.GET.get("q", "")[:500]
    context: dict[str, Any] = {"q": q, "result": None}
    if q.strip():
        if not rule_hit(FAQ_SEARCHES, client_ip(request) or "-"):
            raise TooManyRequests("knowledge.too_many_searches", _("查询过于频繁，请稍后再试。"))
        context.update(_run_search(request, q, kinds=["faq", "item"], limit=20))
        result = context.get("result")
        if result is not None:
            context["item_hits"] = [h for h in result.hits if h.kind == DocKind.ITEM]
            context["faq_hits"] = [h for h in result.hits if h.kind == DocKind.FAQ]
            ids = [h.id for h in context["faq_hits"]]
            context["answers"] = {
                a.pk: a.current_version.body
                for a in Article.objects.published()
                .filter(pk__in=ids, kind=Kind.FAQ)
                .select_related("current_version")
            }
    return render(request, "knowledge/m_faq.html", context)
