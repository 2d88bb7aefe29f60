"""The one display rule for rates (CONTRACT §4): truncated to one decimal."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from yichuang.lib.numbers import (
    number_display,
    number_truncated,
    rate_display,
    rate_points,
    rate_truncated,
)


@pytest.mark.parametrize(
    ("fraction", "text"),
    [
        (0.98487, "98.4%"),  # Excel's 0.0% used to show 98.5 %
        (0.825, "82.5%"),  # the catalogue overview used to show 83 %
        (0.2719, "27.1%"),
        (0.9499999, "94.9%"),  # never lifted onto the 95 % target
        (0.984, "98.4%"),  # float noise (0.984 * 1000 = 983.999…) is not a loss
        (1.0, "100.0%"),
        (0.0, "0.0%"),
        (None, "—"),
    ],
)
def test_a_rate_is_truncated_never_rounded(fraction, text):
    assert rate_display(fraction) == text


def test_workbooks_and_charts_get_the_same_truncated_value():
    assert rate_truncated(0.98487) == 0.984
    assert rate_points(0.98487) == 98.4
    assert rate_truncated(None) is None
    assert number_truncated(17.66838141348934) == 17.6
    assert number_truncated(12898) == 12898
    assert number_display(12898) == "12,898"
    assert number_display(17.66838141348934) == "17.6"


def test_every_template_filter_shows_the_same_text():
    value = 0.98487
    shown = {
        Template("{% load numbers %}{{ v|rate }}").render(Context({"v": value})),
        Template("{% load insights %}{{ v|pct }}").render(Context({"v": value})),
        Template("{% load feedback_tags %}{{ v|pct }}").render(Context({"v": value})),
    }
    assert shown == {"98.4%"}
