"""The forms of the supervision pages: they validate at the edge (types,
lengths, choices within the user's scope) and keep what was entered when a
page is shown again; the actions decide the rest."""

from __future__ import annotations

from typing import cast

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from yichuang.org.models import Centre, Department, Staff, Window

from . import photos
from .models import (
    SEVERITY_RANK,
    Category,
    Checklist,
    ChecklistLine,
    Finding,
    RecheckTask,
    Severity,
    VisitKind,
)
from .permissions import OPEN_ROLES

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


def _model_field(form: forms.Form, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def staff_label(staff: Staff) -> str:
    return f"{staff.name}（{staff.title}）" if staff.title else staff.name


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return staff_label(obj)


class WindowChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.centre.name} · {obj}"


class VisitForm(forms.Form):
    """The visit itself: where, how, which checklist, when."""

    centre = forms.ModelChoiceField(
        label=_("被检查中心"),
        queryset=Centre.objects.none(),
        to_field_name="code",
        empty_label=_("请选择服务中心"),
        error_messages={"invalid_choice": _("该服务中心不在您的检查范围内。")},
    )
    kind = forms.ChoiceField(
        label=_("检查方式"),
        choices=VisitKind.choices,
        widget=forms.RadioSelect,
        initial=VisitKind.OPEN,
    )
    checklist = forms.ModelChoiceField(
        label=_("检查表"),
        queryset=Checklist.objects.none(),
        to_field_name="code",
        empty_label=_("请选择检查表"),
        error_messages={"invalid_choice": _("没有这张检查表。")},
    )
    visited_at = forms.DateTimeField(
        label=_("检查时间"),
        input_formats=[LOCAL_MINUTE, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE),
    )
    notes = forms.CharField(label=_("总体情况（选填）"), required=False, max_length=1000)

    def __init__(self, *args, centres: QuerySet[Centre], checklists: QuerySet[Checklist], **kw):
        super().__init__(*args, **kw)
        _model_field(self, "centre").queryset = centres
        _model_field(self, "checklist").queryset = checklists
        if not self.is_bound:
            self.initial.setdefault(
                "visited_at", timezone.localtime().replace(second=0, microsecond=0)
            )


class FindingForm(forms.Form):
    """One checklist line as found, prefixed with the line's code."""

    result = forms.ChoiceField(
        label=_("结果"),
        choices=Finding.Result.choices,
        widget=forms.RadioSelect,
        initial=Finding.Result.PASS,
        error_messages={"required": _("请选择合格或不合格。")},
    )
    # Ids among the visited centre's windows and staff (``visit_choices``),
    # so that a visit's dozen lines share one read of each.
    window = forms.TypedChoiceField(
        label=_("涉及窗口"),
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("所填窗口不属于被检查的服务中心。")},
    )
    clerk = forms.TypedChoiceField(
        label=_("涉及人员"),
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("所填工作人员不属于被检查的服务中心。")},
    )
    severity = forms.ChoiceField(label=_("严重程度"), choices=Severity.choices)
    note = forms.CharField(label=_("情况说明"), required=False, max_length=500)
    photo = forms.FileField(
        label=_("照片"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png", "capture": "environment"}
        ),
    )

    def __init__(
        self,
        *args,
        line: ChecklistLine,
        windows: list[tuple[str, str]],
        clerks: list[tuple[str, str]],
        **kw,
    ):
        kw.setdefault("prefix", line.code)
        super().__init__(*args, **kw)
        self.line = line
        _choice_field(self, "window").choices = [("", _("不涉及具体窗口")), *windows]
        _choice_field(self, "clerk").choices = [("", _("不涉及具体人员")), *clerks]
        # A line's severity may be raised above its default, never lowered.
        floor = SEVERITY_RANK[Severity(line.severity)]
        _choice_field(self, "severity").choices = [
            (value, label)
            for value, label in Severity.choices
            if SEVERITY_RANK[Severity(value)] >= floor
        ]
        self.fields["severity"].initial = line.severity

    def clean_photo(self):
        """Too large, or not a JPEG or PNG by its header, is refused on its
        line; the action decodes and re-encodes what passes."""
        photo = self.cleaned_data.get("photo")
        if not photo:
            return photo
        if photo.size > photos.MAX_BYTES:
            raise forms.ValidationError(
                _("照片不能超过 %(mb)d MB。") % {"mb": photos.MAX_BYTES // (1024 * 1024)},
                code="bad_photo",
            )
        try:
            kind = Image.open(photo).format
        except (UnidentifiedImageError, OSError, ValueError):
            kind = None
        photo.seek(0)
        if kind not in photos.FORMATS:
            raise forms.ValidationError(_("照片只接受 JPEG 或 PNG 格式。"), code="bad_photo")
        return photo

    @property
    def failed(self) -> bool:
        value = self["result"].value()
        return value == Finding.Result.FAIL


def visit_choices(centre: Centre) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The windows and the staff of a centre, as choices of a finding."""
    windows = [
        (str(w.pk), str(w))
        for w in Window.objects.filter(centre=centre, is_active=True).order_by("number")
    ]
    clerks = [
        (str(s.pk), staff_label(s)) for s in Staff.objects.filter(centre=centre).order_by("name")
    ]
    return windows, clerks


class StepForm(forms.Form):
    """One step of a ledger row's flow (plan, submit, verify, reject)."""

    action = forms.ChoiceField(choices=[(a, a) for a in ("plan", "submit", "verify", "reject")])
    measure = forms.CharField(required=False, max_length=4000)
    evidence = forms.CharField(required=False, max_length=4000)
    note = forms.CharField(required=False, max_length=1000)
    owner = StaffChoiceField(
        queryset=Staff.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("整改责任人不属于该单位。")},
    )

    def __init__(self, *args, owners: QuerySet[Staff], **kw):
        super().__init__(*args, **kw)
        _model_field(self, "owner").queryset = owners


class RecheckForm(forms.Form):
    """What a 回头看 found on a closed row."""

    task = forms.IntegerField(min_value=1)
    result = forms.ChoiceField(
        choices=RecheckTask.Result.choices,
        error_messages={"required": _("请选择回头看结果。")},
    )
    note = forms.CharField(required=False, max_length=500)


def unit_staff(centre_id: int, department_id: int | None) -> QuerySet[Staff]:
    """Who may be named to rectify a row of this unit: the centre's staff (of
    the row's department, or of none), and the department's county staff."""
    if department_id is None:
        qs = Staff.objects.filter(centre_id=centre_id)
    else:
        qs = Staff.objects.filter(
            Q(centre_id=centre_id, department_id__in=[department_id])
            | Q(centre_id=centre_id, department__isnull=True)
            | Q(department_id=department_id, scope=Staff.Scope.DEPARTMENT)
        )
    return qs.order_by("name")


class ProblemForm(forms.Form):
    """A self-check (自查) or a leadership instruction (领导交办)."""

    source = forms.ChoiceField(label=_("来源"), widget=forms.RadioSelect)
    centre = forms.ModelChoiceField(
        label=_("服务中心"),
        queryset=Centre.objects.none(),
        to_field_name="code",
        empty_label=_("请选择服务中心"),
        error_messages={"invalid_choice": _("该服务中心不在您的管理范围内。")},
    )
    department = forms.ModelChoiceField(
        label=_("部门（选填）"),
        queryset=Department.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("不涉及具体部门"),
        error_messages={"invalid_choice": _("该部门不在您的管理范围内。")},
    )
    window = WindowChoiceField(
        label=_("窗口（选填）"),
        queryset=Window.objects.none(),
        required=False,
        empty_label=_("不涉及具体窗口"),
        error_messages={"invalid_choice": _("该窗口不在您的管理范围内。")},
    )
    category = forms.ChoiceField(label=_("问题类别"), choices=Category.choices)
    severity = forms.ChoiceField(
        label=_("严重程度"), choices=Severity.choices, initial=Severity.GENERAL
    )
    description = forms.CharField(
        label=_("问题描述"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    owner = StaffChoiceField(
        label=_("整改责任人（选填）"),
        queryset=Staff.objects.none(),
        required=False,
        empty_label=_("按岗位自动确定"),
        error_messages={"invalid_choice": _("整改责任人不属于您的管理范围。")},
    )

    def __init__(
        self,
        *args,
        roles: set[str],
        centres: QuerySet[Centre],
        departments: QuerySet[Department],
        windows: QuerySet[Window],
        staff: QuerySet[Staff],
        **kw,
    ):
        super().__init__(*args, **kw)
        labels = {"self_check": _("自查"), "leadership": _("领导交办")}
        sources = [
            (source, labels[source])
            for source, allowed in OPEN_ROLES.items()
            if roles.intersection(allowed)
        ]
        _choice_field(self, "source").choices = sources
        if sources:
            self.fields["source"].initial = sources[0][0]
        _model_field(self, "centre").queryset = centres
        _model_field(self, "department").queryset = departments
        _model_field(self, "window").queryset = windows.select_related("centre").order_by(
            "centre__code", "number"
        )
        _model_field(self, "owner").queryset = staff.order_by("name")
