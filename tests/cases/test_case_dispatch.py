"""The one table of case actions that the page and the API both run."""

import inspect

import pytest

from yichuang.cases.actions import CASE_ACTIONS, case_act, case_action_params, page_actions
from yichuang.cases.models import Case, CaseEvent

from .conftest import user

COMMON = {"actor", "staff", "note", "now"}


@pytest.mark.parametrize("name", sorted(CASE_ACTIONS))
def test_it_gives_each_handler_exactly_the_parameters_its_entry_names(name):
    entry = CASE_ACTIONS[name]
    signature = inspect.signature(entry.run)
    keyword_only = {
        p.name for p in signature.parameters.values() if p.kind is inspect.Parameter.KEYWORD_ONLY
    }
    assert keyword_only == COMMON | set(entry.params)
    assert not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in signature.parameters.values())


def test_it_refuses_a_parameter_the_action_does_not_take(intake):
    case = intake().case
    before = (Case.objects.get(pk=case.pk).status, CaseEvent.objects.count())
    with pytest.raises(TypeError):
        case_act(case=case, actor=user("yb_review1"), action="approve", days=3)
    assert (Case.objects.get(pk=case.pk).status, CaseEvent.objects.count()) == before


def test_it_picks_the_parameters_of_the_action_from_a_form_or_a_payload():
    given = {"days": "5", "document": "延审〔2026〕1号", "method": "mail", "materials": ["M03"]}
    assert case_action_params("extend", given) == {"days": "5", "document": "延审〔2026〕1号"}
    assert case_action_params("supplement", given) == {"materials": [{"code": "M03"}]}
    assert case_action_params("approve", given) == {}
    assert case_action_params("fly", given) == {}


def test_it_offers_the_labelled_actions_on_the_page_in_menu_order():
    assert [name for name, _label in page_actions()] == [
        "approve",
        "deny",
        "return",
        "request_supplement",
        "supplement",
        "complete",
        "deliver",
        "suspend",
        "resume",
        "extend",
        "withdraw",
    ]
