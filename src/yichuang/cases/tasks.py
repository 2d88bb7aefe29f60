"""Worker tasks of the cases app (run by ``yichuang worker``).

``cards_refresh`` records the yellow and red cards that the clock rules call for
(DOMAIN §4). It is set-based: for each rule one ``SELECT`` finds every running
case that deserves the card and has none yet (into a temporary table), one
``INSERT … SELECT`` writes the cards and a second one their ``CaseEvent`` rows.
No case passes through Python: a pass over 200,000 open cases costs a few
indexed statements.

Several workers are safe: each rule runs in its own transaction, claimed on
PostgreSQL with a transaction-level advisory lock (a worker that finds the rule
claimed skips it: the other one is recording those cards), SQLite serialises
writers anyway, and the unique constraint on (case, level, rule) with
``ON CONFLICT DO NOTHING`` is the last guard, so a card is never recorded twice.

``deadlines_retry`` computes the due dates that were pending because a calendar
year was not loaded yet, as soon as it is.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.config import setting_get
from yichuang.org.calendar import get_calendar

from . import clock
from .models import Case, CaseEvent, CaseStep
from .states import RUNNING

# An arbitrary key for the advisory locks of the card pass ("YC" + "cards").
LOCK_KEY = 0x5943_0000

STEP_RULE = "'step:' || CAST(s.position AS varchar(5))"


def _rules(today: dt.date, cutoff: dt.date) -> list[tuple[str, str, str, str, str]]:
    """(level, rule as SQL, condition as SQL, reason, parameter) per card rule."""
    not_accept = " AND s.kind <> 'accept'"
    return [
        ("yellow", "'committed'", "c.due_date < %s", _("超过承诺时限"), today.isoformat()),
        ("red", "'after_yellow'", "c.due_date <= %s", _("黄牌后逾期仍未办结"), cutoff.isoformat()),
        ("red", "'statutory'", "c.statutory_due_date < %s", _("超过法定时限"), today.isoformat()),
        (
            "yellow",
            STEP_RULE,
            "s.due_date < %s" + not_accept,
            _("超过环节时限"),
            today.isoformat(),
        ),
        (
            "red",
            STEP_RULE,
            "s.due_date <= %s" + not_accept,
            _("环节黄牌后逾期仍未完成"),
            cutoff.isoformat(),
        ),
    ]


DUE_TABLE = "cases_card_due"


def _due_sql(rule: str, condition: str) -> str:
    """The cards a rule calls for, into a temporary table. Computed in full
    before the insert: an ``INSERT … SELECT`` whose anti-join reads the table it
    writes may be planned as a nested loop over a (then empty) ``cases_card``
    and rescan every row it has just added — quadratic on PostgreSQL."""
    step_join = "JOIN cases_casestep s ON s.id = c.current_step_id" if "s." in condition else ""
    running = ", ".join(f"'{s}'" for s in RUNNING)
    return (
        f"CREATE TEMPORARY TABLE {DUE_TABLE} AS"
        f" SELECT c.id AS case_id, {rule} AS rule, c.department_id, c.post_id,"
        # The post's holder: A when present, else B when present (Post.holder()).
        " CASE WHEN a.is_present THEN p.a_staff_id WHEN b.is_present THEN p.b_staff_id END"
        " AS staff_id"
        f" FROM cases_case c {step_join}"
        " LEFT JOIN org_post p ON p.id = c.post_id"
        " LEFT JOIN org_staff a ON a.id = p.a_staff_id"
        " LEFT JOIN org_staff b ON b.id = p.b_staff_id"
        f" WHERE c.status IN ({running}) AND {condition}"
        " AND NOT EXISTS (SELECT 1 FROM cases_card k"
        f" WHERE k.case_id = c.id AND k.level = %s AND k.rule = {rule})"
    )


# "WHERE 1 = 1" keeps SQLite from reading ON CONFLICT as a join constraint.
CARD_SQL = (
    "INSERT INTO cases_card (case_id, level, rule, reason, department_id, post_id,"
    " staff_id, recorded_at, lifted_at, lifted_by_id, lift_reason)"
    " SELECT case_id, %s, rule, %s, department_id, post_id, staff_id, %s, NULL, NULL, ''"
    f" FROM {DUE_TABLE} WHERE 1 = 1 ON CONFLICT DO NOTHING"
)


def _event_sql() -> str:
    data = """'{"level": "' || k.level || '", "rule": "' || k.rule || '"}'"""
    if connection.vendor == "postgresql":
        data = f"CAST({data} AS jsonb)"
    return (
        "INSERT INTO cases_caseevent (case_id, type, old_status, new_status, step_id,"
        " actor_id, actor_name, reason, document, data, at)"
        f" SELECT k.case_id, 'card', '', '', NULL, NULL, '', k.reason, '', {data}, k.recorded_at"
        " FROM cases_card k WHERE k.id > %s AND k.recorded_at = %s AND k.level = %s"
        " AND k.rule <> 'breach'"
    )


def _claim(cur, n: int) -> bool:
    if connection.vendor != "postgresql":
        return True
    cur.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY + n])
    return bool(cur.fetchone()[0])


def cards_refresh(*, today: dt.date | None = None) -> int:
    """Record every card now due. Returns how many were recorded."""
    today = today or timezone.localdate()
    cal = get_calendar()
    red_after = int(setting_get("case.red_after_yellow_workdays"))
    cutoff = clock.red_cutoff(cal, today, red_after)
    made = 0
    for n, (level, rule, condition, reason, param) in enumerate(_rules(today, cutoff)):
        with transaction.atomic(), connection.cursor() as cur:
            if not _claim(cur, n):
                continue
            now = timezone.now()
            cur.execute("SELECT COALESCE(MAX(id), 0) FROM cases_card")
            last = cur.fetchone()[0]
            cur.execute(_due_sql(rule, condition), [param, level])
            cur.execute(CARD_SQL, [level, str(reason), now])
            recorded = cur.rowcount
            cur.execute(f"DROP TABLE {DUE_TABLE}")
            if recorded <= 0:
                continue
            made += recorded
            cur.execute(_event_sql(), [last, now, level])
    return made


def deadlines_retry(*, batch: int = 500) -> int:
    """Compute deadlines left pending for want of a calendar year."""
    cal = get_calendar()
    done = 0
    ids = list(
        Case.objects.filter(deadline_pending=True, accepted_on__isnull=False).values_list(
            "pk", flat=True
        )[:batch]
    )
    for pk in ids:
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=pk)
            steps = list(CaseStep.objects.filter(case=case).order_by("position"))
            changed = clock.compute_deadlines(case, steps, cal)
            if case.deadline_pending:
                continue
            CaseStep.objects.bulk_update(changed, ["due_date"])
            case.save(
                update_fields=[
                    "due_date",
                    "statutory_due_date",
                    "deadline_pending",
                    "deadline_provisional",
                    "updated_at",
                ]
            )
            CaseEvent.objects.create(
                case=case,
                type="deadline_computed",
                reason=_("工作日历已载入，期限已计算"),
                data={"due_date": str(case.due_date)},
            )
            done += 1
    return done


def _cards() -> int:
    return cards_refresh()


def _deadlines() -> int:
    return deadlines_retry()


TASKS = [
    ("cases.cards", 300, _cards),
    ("cases.deadlines", 3600, _deadlines),
]
