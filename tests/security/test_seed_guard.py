"""`seed-demo` never writes into a production database nor empties one that
holds data it did not build (issue 17, item 11)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yichuang.accounts.models import User
from yichuang.demo.base import DEMO_MARK
from yichuang.lib.config import Setting
from yichuang.org.models import Centre, Device

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        Centre.objects.count(),
        User.objects.count(),
        sorted(Device.objects.values_list("token_hash", flat=True)),
    )


@pytest.mark.parametrize("flags", [[], ["--reset"], ["--if-empty"]])
def test_it_refuses_to_run_in_production(county, settings, flags):
    settings.PRODUCTION = True
    before = snapshot()
    with pytest.raises(CommandError, match="YICHUANG_PRODUCTION"):
        call_command("seed_demo", "--password", "Demo@2026x", *flags)
    assert snapshot() == before


def test_it_refuses_to_empty_a_database_the_demo_did_not_build(county):
    Setting.objects.filter(key=DEMO_MARK).delete()
    before = snapshot()
    with pytest.raises(CommandError, match="不是演示县"):
        call_command("seed_demo", "--reset", "--password", "Demo@2026x")
    assert snapshot() == before


def test_if_empty_leaves_a_database_with_data_alone(county):
    Setting.objects.filter(key=DEMO_MARK).delete()
    before = snapshot()
    out = StringIO()
    call_command("seed_demo", "--if-empty", "--password", "Demo@2026x", stdout=out)
    assert "跳过" in out.getvalue()
    assert snapshot() == before


def test_the_demo_organisation_carries_the_mark(county):
    assert Setting.objects.filter(key=DEMO_MARK).exists()
