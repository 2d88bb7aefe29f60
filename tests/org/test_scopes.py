import pytest

from yichuang.lib.errors import NotFound
from yichuang.org.models import Centre, Department
from yichuang.org.scopes import centres_for, departments_for, get_centre_for, get_window_for


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
    from django.contrib.auth.models import AnonymousUser

    from yichuang.accounts.models import User
    from yichuang.org.models import Window
    from yichuang.org.scopes import windows_for

    for user in [AnonymousUser(), *User.objects.all()]:
        expected = set(Window.objects.filter(centre__in=centres_for(user)).values_list("pk"))
        assert set(windows_for(user).values_list("pk")) == expected, user
