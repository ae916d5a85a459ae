from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jinqiu.core import idempotency
from jinqiu.core.widgets import DateInput, TreeChoiceIterator, label_with_ancestors
from jinqiu.organizations.models import PartyOrg

from .models import AttendanceStatus, FileKind, FrequencyRule, Meeting, MeetingType, Period
from .periods import FIRST_YEAR, last_year

DATE = DateInput()
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class TreeMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several organisations, in tree order, each named with its parents (one query for all the labels)."""

    iterator = TreeChoiceIterator

    def label_from_instance(self, obj) -> str:
        label = getattr(obj, "_path_label", None)
        return label if label is not None else label_with_ancestors([obj])[0]._path_label


class MeetingForm(forms.ModelForm):
    joint = TreeMultipleChoiceField(
        label=_("Joint with (the meeting counts for each)"), queryset=PartyOrg.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple)
    once = idempotency.TokenField()  # back and submit again makes one meeting

    class Meta:
        model = Meeting
        fields = ["meeting_type", "starts_at", "place", "mode", "host", "lecturer", "topic", "partners", "agenda",
                  "minutes"]
        widgets = {"starts_at": DATETIME, "agenda": forms.Textarea(attrs={"rows": 3}),
                   "minutes": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"lecturer": _("For a party lesson."), "topic": _("For a party lesson: required.")}

    def __init__(self, *args, org: PartyOrg, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting_type"].queryset = MeetingType.objects.all()
        self.fields["starts_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        # Partners are organisations the recorder also sees, near the host: same parent first.
        self.fields["joint"].queryset = (orgs.filter(dissolved_on__isnull=True, kind__in=["zhibu", "xiaozu"])
                                         .exclude(pk=org.pk).order_by("path"))
        if not self.fields["joint"].queryset.exists():
            del self.fields["joint"]


class HoldForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["starts_at", "place", "mode", "host", "lecturer", "topic", "minutes"]
        widgets = {"starts_at": DATETIME, "minutes": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Why is the meeting reopened?"), max_length=200,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("For example: recorded by mistake, or recorded before it took place."))


class AttendanceForm(forms.Form):
    status = forms.ChoiceField(label=_("Attendance"),
                               choices=[c for c in AttendanceStatus.choices if c[0]])
    reason = forms.CharField(label=_("Reason for leave"), max_length=100, required=False)


class MakeUpForm(forms.Form):
    delivered_by = forms.CharField(label=_("Delivered by"), max_length=40)
    delivered_on = forms.DateField(label=_("Delivered on"), widget=DATE, initial=timezone.localdate)
    content = forms.CharField(label=_("What was delivered"), max_length=300,
                              widget=forms.Textarea(attrs={"rows": 3}))


class FileForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FileKind.choices)
    file = forms.FileField(label=_("File"))


class RuleForm(forms.Form):
    period = forms.ChoiceField(label=_("At least once per"), choices=Period.choices)
    is_active = forms.BooleanField(label=_("Required"), required=False)

    @classmethod
    def for_rule(cls, rule: FrequencyRule, data=None):
        return cls(data, initial={"period": rule.period, "is_active": rule.is_active})


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].max_value = last_year()
        self.fields["year"].validators.append(MaxValueValidator(last_year()))


class OrgFilterForm(forms.Form):
    """?org= on the overview: an id, bounded so that no absurd number reaches the database."""

    org = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
