import pytest

from yichuang.lib.audit import AuditEntry
from yichuang.lib.config import Setting, setting_get, setting_set
from yichuang.lib.errors import DomainError


def test_it_falls_back_to_the_domain_default(county):
    assert setting_get("rating.rectify_workdays") == 15
    assert setting_get("rating.default_after_days") is None


def test_it_changes_a_setting_and_audits_old_and_new(county):
    setting_set(key="rating.rectify_workdays", value=5, actor=county.admin)
    assert setting_get("rating.rectify_workdays") == 5
    entry = AuditEntry.objects.get(event="settings.change")
    assert entry.actor_name == "admin" and entry.detail == {"old": 15, "new": 5}


def test_it_refuses_unknown_keys_and_wrong_types_changing_nothing(county):
    before = list(Setting.objects.values_list("key", "value"))  # the demo's mark
    with pytest.raises(DomainError) as err:
        setting_set(key="nope", value=1, actor=county.admin)
    assert err.value.code == "lib.unknown_setting"
    with pytest.raises(DomainError) as err:
        setting_set(key="rating.rectify_workdays", value="fifteen", actor=county.admin)
    assert err.value.code == "lib.bad_setting_value"
    assert list(Setting.objects.values_list("key", "value")) == before
    assert setting_get("rating.rectify_workdays") == 15
