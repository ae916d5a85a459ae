"""Forms of the care pages: task filters, exempt and assign, rules, visits and hospital stays.

The forms check the shape of the input; the services (care.services) check the rules."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jinqiu.accounts.models import User
from jinqiu.core import idempotency
from jinqiu.core.widgets import DateInput, FastSelect
from jinqiu.regions.models import Region, RegionLevel

from .models import CareRule, Hospitalisation, RequestCategory, RuleKind, Visit, VisitKind, VisitTask

DATE = DateInput()
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
MAX_ID = 2**63 - 1

TASK_STATE_CHOICES = [
    ("open", _("To visit")),
    ("due", _("Due now")),
    ("overdue", _("Overdue")),
    ("due_week", _("Due this week")),
    ("done", _("Visited")),
    ("missed", _("Missed")),
    ("exempted", _("Exempted")),
    ("withdrawn", _("Withdrawn")),
]


def communities():
    return Region.objects.filter(level__in=[RegionLevel.COMMUNITY, RegionLevel.VILLAGE]).order_by("path")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return str(obj)


class UsersChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return str(obj)


class TaskFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=40,
                        widget=forms.TextInput(attrs={"placeholder": _("Name, pinyin or initials"),
                                                      "type": "search", "autocomplete": "off"}))
    state = forms.ChoiceField(label=_("State"), choices=TASK_STATE_CHOICES, required=False)
    kind = forms.ChoiceField(label=_("Occasion"), choices=[("", _("All occasions")), *RuleKind.choices],
                             required=False)
    region = forms.ModelChoiceField(label=_("Community"), queryset=Region.objects.none(), required=False,
                                    empty_label=_("All communities"), widget=FastSelect)
    mine = forms.BooleanField(label=_("Only my tasks"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = communities()


class VisitFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=40,
                        widget=forms.TextInput(attrs={"placeholder": _("Name, pinyin or initials"),
                                                      "type": "search", "autocomplete": "off"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All kinds")), *VisitKind.choices], required=False)
    since = forms.DateField(label=_("From"), required=False, widget=DATE)
    until = forms.DateField(label=_("Until"), required=False, widget=DATE)
    region = forms.ModelChoiceField(label=_("Community"), queryset=Region.objects.none(), required=False,
                                    empty_label=_("All communities"), widget=FastSelect)
    mine = forms.BooleanField(label=_("Only visits I made"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = communities()


class ExemptForm(forms.Form):
    reason = forms.CharField(label=_("Why is this visit not needed?"), max_length=200,
                             widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(forms.Form):
    assignee = UserChoiceField(label=_("Assign to"), queryset=User.objects.none(), required=False,
                               empty_label=_("Nobody"))

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(pk__in=[u.pk for u in users]).order_by(
            "display_name", "username")


class RuleForm(forms.ModelForm):
    class Meta:
        model = CareRule
        fields = ["is_active", "lead_days", "due_days", "grace_days", "visitor", "leader_for_senior",
                  "street_after_days", "bureau_after_days"]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several photos at once; whether each is an image, and its size, is checked by the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleImageField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class VisitForm(forms.ModelForm):
    visitors = UsersChoiceField(label=_("Visitors"), queryset=User.objects.none(), required=False,
                                widget=forms.CheckboxSelectMultiple)
    photos = MultipleImageField(label=_("Photos"), required=False,
                                help_text=_("JPEG, PNG, GIF or WebP; at most 9."))
    tasks = forms.ModelMultipleChoiceField(label=_("This visit answers"), queryset=VisitTask.objects.none(),
                                           required=False, widget=forms.CheckboxSelectMultiple)
    need_category = forms.ChoiceField(label=_("Need found: category"), required=False,
                                      choices=[("", _("No need found")), *RequestCategory.choices])
    need_summary = forms.CharField(label=_("Need found: what is asked"), required=False, max_length=1000,
                                   widget=forms.Textarea(attrs={"rows": 2}),
                                   help_text=_("Filled in, it is registered as a request at once."))
    once = idempotency.TokenField()

    class Meta:
        model = Visit
        fields = ["visited_at", "kind", "place", "other_visitors", "money", "gifts", "findings"]
        widgets = {"visited_at": DATETIME, "findings": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, users=(), open_tasks=None, show_money: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visited_at"].input_formats = DATETIME_FORMATS
        self.fields["visited_at"].initial = lambda: timezone.localtime().replace(second=0, microsecond=0)
        self.fields["visitors"].queryset = User.objects.filter(pk__in=[u.pk for u in users]).order_by(
            "display_name", "username")
        if open_tasks is None:
            del self.fields["tasks"]
        else:
            self.fields["tasks"].queryset = open_tasks
            self.fields["tasks"].label_from_instance = lambda t: _("%(title)s, due by %(due)s") % {
                "title": t.title, "due": t.due_on.isoformat()}
            self.fields["tasks"].initial = list(open_tasks.values_list("pk", flat=True))
        if not show_money:
            del self.fields["money"]

    def clean(self):
        data = super().clean()
        if data.get("need_summary", "").strip() and not data.get("need_category"):
            self.add_error("need_category", _("Choose the category of the need."))
        return data


class HospitalForm(forms.ModelForm):
    class Meta:
        model = Hospitalisation
        fields = ["admitted_on", "hospital", "ward", "condition", "discharged_on"]
        widgets = {"admitted_on": DATE, "discharged_on": DATE}

    def __init__(self, *args, health: bool = True, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not editing:
            self.fields["admitted_on"].initial = timezone.localdate
        else:
            del self.fields["admitted_on"]  # the admission made the task; it is not moved afterwards
        if not health:
            for name in ("ward", "condition"):
                del self.fields[name]
