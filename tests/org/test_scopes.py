import pytest

from yichuang.lib.errors import NotFound
from yichuang.org.models import Centre, Department
from yichuang.org.scopes import (
    centres_for,
    departments_for,
    get_centre_for,
    get_window_for,
    staff_of,
)


def test_it_gives_a_township_clerk_only_his_centre(county):
    assert list(centres_for(county.outsider).values_list("code", flat=True)) == ["chengguan"]


def test_it_gives_county_staff_every_centre_of_the_county(county):
    assert centres_for(county.director).count() == Centre.objects.count() == 7


def test_it_gives_a_department_lead_only_his_department(county):
    assert list(departments_for(county.dept_lead).values_list("code", flat=True)) == ["rs"]
    assert departments_for(county.director).count() == Department.objects.count()


def test_it_gives_anonymous_users_nothing(county):
    from django.contrib.auth.models import AnonymousUser

    assert centres_for(AnonymousUser()).count() == 0


def test_it_raises_not_found_for_a_window_outside_the_scope(county):
    window = county.hall.windows.first()
    assert get_window_for(county.clerk, window.id) == window
    with pytest.raises(NotFound):
        get_window_for(county.outsider, window.id)
    with pytest.raises(NotFound):
        get_centre_for(county.outsider, "county-hall")


def test_it_reads_the_staff_record_once_per_request(county, django_assert_num_queries):
    from django.utils.functional import SimpleLazyObject

    from yichuang.org.scopes import staff_of

    lazy = SimpleLazyObject(lambda: type(county.clerk).objects.get(pk=county.clerk.pk))
    staff_of(lazy)
    with django_assert_num_queries(0):
        assert staff_of(lazy).centre.code == "county-hall"


def test_it_gives_every_user_the_windows_of_the_centres_in_scope(county):
    """The windows of the centres in scope; a department's staff only the
    department's windows among them."""
    from django.contrib.auth.models import AnonymousUser

    from yichuang.accounts.models import User
    from yichuang.org.models import Staff, Window
    from yichuang.org.scopes import windows_for

    by_department = 0
    for user in [AnonymousUser(), *User.objects.all()]:
        expected = Window.objects.filter(centre__in=centres_for(user))
        staff = staff_of(user)
        if staff is not None and staff.scope == Staff.Scope.DEPARTMENT:
            expected = expected.filter(department_id=staff.department_id)
            by_department += 1
        assert set(windows_for(user).values_list("pk")) == set(expected.values_list("pk")), user
    assert by_department >= 7


def test_a_department_lead_gets_his_department_windows_only(county):
    from yichuang.org.scopes import windows_for

    windows = list(windows_for(county.dept_lead).select_related("centre", "department"))
    spots = {(w.centre.code, w.number) for w in windows}
    assert spots == {("county-hall", n) for n in (5, 6, 7, 8)}
    assert {w.department.code for w in windows} == {"rs"}
