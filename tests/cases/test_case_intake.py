import datetime as dt

import pytest
import time_machine

from yichuang.cases.models import Case, CaseEvent, CaseStep, MaterialReceipt
from yichuang.lib.errors import DomainError
from yichuang.vault.models import AccessLog, Document, Person

from .conftest import ALL, ID_B

BEFORE_SPRING_FESTIVAL = dt.datetime(2026, 2, 10, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@time_machine.travel(BEFORE_SPRING_FESTIVAL, tick=False)
def test_it_accepts_a_complete_intake_with_due_dates_across_the_spring_festival(intake, county):
    result = intake()
    case = result.case
    assert result.accepted and case.status == "accepted"
    assert case.accepted_on == dt.date(2026, 2, 10)
    # 10 working days from the day after: 11–13, Sat 14 (make-up), 24–27, Sat 28, Mon 2 Mar
    assert case.due_date == dt.date(2026, 3, 2)
    assert case.statutory_due_date == dt.date(2026, 3, 16)
    steps = list(case.steps.order_by("position"))
    assert [s.kind for s in steps] == ["accept", "review", "decide", "complete", "deliver"]
    assert steps[0].state == "done" and steps[1].state == "active"
    assert case.current_step == steps[1] and case.department.code == "yb"
    assert steps[-1].due_date == case.due_date
    assert set(case.materials.values_list("code", "how")) == {
        ("M01", "submitted"),
        ("M02", "submitted"),
        ("M03", "submitted"),
        ("M04", "submitted"),
    }
    # the documents handed in are kept in the vault for next time
    assert set(Document.objects.filter(person=case.person).values_list("doc_type", flat=True)) == {
        "id_card",
        "birth_cert",
    }
    assert list(case.events.values_list("type", flat=True)) == ["received", "accepted"]
    assert case.receipt_code and case.rating_code is None
    assert case.first_ask.user == county.clerk


def test_it_issues_the_one_time_notice_and_accepts_on_the_second_visit(intake, ticket):
    first = ticket()
    result = intake(materials=[{"code": "M01", "source": "submitted"}], ticket=first)
    case = result.case
    assert not result.accepted and case.status == "supplement" and case.accepted_on is None
    assert [m["code"] for m in result.missing] == ["M02", "M03", "M04"]
    assert result.notice_url == f"/catalog/notices/{case.notice.reference}/"
    assert case.visit_count == 1 and case.due_date is None
    again = intake(materials=ALL[1:], ticket=ticket())
    assert again.case.pk == case.pk and again.accepted
    case.refresh_from_db()
    assert case.status == "accepted" and case.visit_count == 2
    assert Case.objects.count() == 1
    assert [e.type for e in case.events.all()] == [
        "received",
        "notice",
        "visit",
        "accepted",
        "visit",
    ]


def test_it_accepts_with_gaps_and_holds_the_result_until_supplemented(intake):
    result = intake(materials=[m for m in ALL if m["code"] != "M03"], tolerate_missing=True)
    case = result.case
    assert result.accepted
    gap = case.materials.get(code="M03")
    assert gap.how == "tolerated" and gap.due_date == case.due_date and gap.is_open_gap


def test_it_refuses_gaps_that_are_not_tolerable(intake):
    result = intake(materials=[m for m in ALL if m["code"] != "M02"], tolerate_missing=True)
    assert not result.accepted and [m["code"] for m in result.missing] == ["M02"]


def test_it_takes_a_signed_commitment_and_creates_a_verification_task(intake):
    mats = [m for m in ALL if m["code"] != "M04"] + [{"code": "M04", "source": "commitment"}]
    case = intake(materials=mats).case
    row = case.materials.get(code="M04")
    assert row.how == MaterialReceipt.How.COMMITTED and row.is_open_verification


def test_it_completes_an_immediate_item_on_the_spot(make_item, intake):
    item = make_item(
        "IMM-1",
        case_type="immediate",
        committed=0,
        step_list=[
            {"kind": "accept", "department": "rs", "share": 60},
            {"kind": "complete", "department": "rs", "share": 40},
        ],
    )
    case = intake(item=item).case
    assert case.status == "completed" and case.rating_code and case.completed_at
    assert case.due_date == case.accepted_on
    assert not case.steps.exclude(state="done").exists()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (
            {"applicant": {"name": "张三", "id_number": "110105194912310021"}},
            "lib.invalid_id_number",
        ),
        ({"materials": [{"code": "M99", "source": "submitted"}]}, "cases.material_unknown"),
        ({"materials": [{"code": "M01", "source": "commitment"}]}, "cases.commitment_not_allowed"),
        (
            {"materials": [{"code": "M03", "source": "vault", "document_id": 1}]},
            "cases.material_not_reusable",
        ),
    ],
)
def test_it_refuses_bad_input_and_writes_nothing(intake, change, code):
    with pytest.raises(DomainError) as exc:
        intake(**change)
    assert exc.value.code == code
    assert not Case.objects.exists() and not CaseEvent.objects.exists()
    assert not Person.objects.exists()


def test_it_refuses_a_withdrawn_item(intake, item):
    item.is_active = False
    item.save(update_fields=["is_active"])
    with pytest.raises(DomainError) as exc:
        intake()
    assert exc.value.code == "cases.item_unavailable" and not Case.objects.exists()


def test_it_refuses_an_item_not_offered_at_the_centre(intake, county):
    with pytest.raises(DomainError) as exc:
        intake(actor=county.outsider, centre=county.town)
    assert exc.value.code == "cases.item_not_offered" and not Case.objects.exists()


def test_it_reuses_a_vault_document_with_consent_and_logs_the_read(intake, county, make_item):
    first = intake(consent={"scope": "all"}).case
    birth = Document.objects.get(person=first.person, doc_type="birth_cert")
    other = make_item("CASE-2", department="mz")
    mats = [
        {
            "code": "M01",
            "source": "vault",
            "document_id": Document.objects.get(doc_type="id_card").pk,
        },
        {"code": "M02", "source": "vault", "document_id": birth.pk},
        {"code": "M03", "source": "submitted"},
        {"code": "M04", "source": "submitted"},
    ]
    case = intake(item=other, materials=mats).case
    assert case.status == "accepted"
    logs = AccessLog.objects.filter(case_id=case.pk).order_by("id")
    assert [(lg.document.doc_type, lg.basis) for lg in logs] == [
        ("id_card", "unconditional"),
        ("birth_cert", "consent"),
    ]
    assert logs[1].actor == county.clerk and logs[1].department.code == "mz"
    assert Document.objects.count() == 2  # nothing stored twice


@pytest.mark.parametrize("problem", ["no_consent", "someone_else", "expired"])
def test_it_refuses_vault_documents_it_may_not_use(intake, applicant, problem):
    first = intake(consent={"scope": "all"} if problem != "no_consent" else None).case
    birth = Document.objects.get(person=first.person, doc_type="birth_cert")
    who = applicant
    if problem == "someone_else":
        who = {"name": "李四", "id_number": ID_B}
    if problem == "expired":
        birth.expires_on = dt.date(2020, 1, 1)
        birth.save(update_fields=["expires_on"])
    mats = [m for m in ALL if m["code"] != "M02"] + [
        {"code": "M02", "source": "vault", "document_id": birth.pk}
    ]
    with pytest.raises(DomainError) as exc:
        intake(applicant=who, materials=mats)
    assert (
        exc.value.code
        == {
            "no_consent": "vault.consent_missing",
            "someone_else": "vault.document_not_owned",
            "expired": "vault.document_expired",
        }[problem]
    )
    assert Case.objects.count() == 1 and not AccessLog.objects.exists()
    assert CaseStep.objects.filter(case__in=Case.objects.exclude(pk=first.pk)).count() == 0
