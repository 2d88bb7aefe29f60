from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yichuang.accounts.models import User
from yichuang.org.models import Centre, Department, Device, Post, Staff, Window


def test_it_builds_a_believable_county(county):
    assert Centre.objects.filter(kind="township").count() >= 6
    assert Department.objects.count() >= 7
    assert Window.objects.count() >= 40
    assert set(Window.objects.values_list("kind", flat=True)) == {
        "comprehensive",
        "dedicated",
        "green",
        "flexible",
    }
    assert Staff.objects.count() >= 60
    assert Post.objects.exclude(a_staff=None).exclude(b_staff=None).count() >= 40
    hall_windows = Window.objects.filter(centre__code="county-hall").count()
    for n in range(1, hall_windows + 1):
        assert User.objects.filter(username=f"clerk_w{n:02d}").exists()
    for name in ["admin", "director", "dept_rs", "clerk_county", "clerk_town", "inspector"]:
        assert User.objects.filter(username=name).exists()


def test_it_refuses_to_overwrite_data_without_reset(county):
    with pytest.raises(CommandError):
        call_command("seed_demo", "--password", "Demo@2026x")


@pytest.mark.django_db(transaction=True)
def test_it_is_deterministic_for_a_seed(county):
    out = StringIO()
    call_command("seed_demo", "--reset", "--seed", "5", "--password", "Demo@2026x", stdout=out)
    first = list(Staff.objects.order_by("employee_no").values_list("name", flat=True))
    first_tokens = set(Device.objects.values_list("token_hash", flat=True))
    call_command("seed_demo", "--reset", "--seed", "5", "--password", "Demo@2026x", stdout=out)
    second = list(Staff.objects.order_by("employee_no").values_list("name", flat=True))
    assert first == second
    # the device tokens are not: nobody derives a hall's kiosk token from the seed
    second_tokens = set(Device.objects.values_list("token_hash", flat=True))
    assert first_tokens and not first_tokens & second_tokens
    assert "clerk_county" in out.getvalue()
    assert User.objects.get(username="clerk_town").check_password("Demo@2026x")
