"""Forms of the campaign, organisation visit, request and terminal pages."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jinqiu.accounts.models import Pairing, Role, User
from jinqiu.accounts.scoping import scopes, visible_orgs, visible_persons
from jinqiu.core import idempotency
from jinqiu.core.widgets import DateInput, FastSelect, SearchableSelect, TreeChoiceField
from jinqiu.organizations.models import PartyOrg
from jinqiu.regions.models import Region

from .models import (
    Campaign,
    RequestCategory,
    RequestSource,
    RequestStatus,
    Satisfaction,
    VisitKind,
)
from .permissions import ASSIGNABLE_ROLES

DATE = DateInput()
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MAX_ID = 2**63 - 1


def scope_regions(user) -> QuerySet[Region]:
    """The regions a user may run a campaign over: those under their region scopes (all for the bureau)."""
    if user.has_role(Role.BUREAU):
        return Region.objects.order_by("path")
    parts = [Q(path__startswith=s.region.path) for s in scopes(user) if s.region_id]
    return Region.objects.filter(reduce(or_, parts)).order_by("path") if parts else Region.objects.none()


def assignable_users(user) -> QuerySet[User]:
    """Who the user may hand visits or requests to: active users of a visiting role, near the user's scope
    (the bureau: anyone). The services check again that the assignee sees the person."""
    users = User.objects.filter(is_active=True, roles__role__in=ASSIGNABLE_ROLES)
    if not user.has_role(Role.BUREAU):
        orgs = visible_orgs(user).values("pk")
        paired = Pairing.objects.filter(person__in=visible_persons(user).values("pk"), ended_on__isnull=True)
        near = Q(pk=user.pk) | Q(scopes__org__in=orgs) | Q(pk__in=paired.values("contact_id"))
        regions = [Q(scopes__region__path__startswith=s.region.path) for s in scopes(user) if s.region_id]
        users = users.filter(reduce(or_, regions, near))
    return users.distinct().order_by("display_name", "username")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return str(obj)


class CampaignForm(forms.ModelForm):
    root_org = TreeChoiceField(label=_("Within the organisation"), queryset=PartyOrg.objects.none(),
                               required=False)
    root_region = forms.ModelChoiceField(label=_("Or within the region"), queryset=Region.objects.none(),
                                         required=False, widget=SearchableSelect)
    once = idempotency.TokenField()

    class Meta:
        model = Campaign
        fields = ["name", "kind", "starts_on", "ends_on", "root_org", "root_region", "retirement_type",
                  "party_members_only", "min_age", "include_orgs", "note"]
        widgets = {"starts_on": DATE, "ends_on": DATE, "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["root_org"].queryset = visible_orgs(user).filter(dissolved_on__isnull=True)
        self.fields["root_region"].queryset = scope_regions(user)
        self.fields["root_region"].label_from_instance = lambda r: r.name

    def clean(self):
        data = super().clean()
        if bool(data.get("root_org")) == bool(data.get("root_region")):
            raise forms.ValidationError(_("Choose one organisation or one region the campaign covers."))
        return data

    def _post_clean(self):  # the service validates the model (with the user's scope); the form only the fields
        pass


class CampaignEditForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "starts_on", "ends_on", "note"]
        widgets = {"starts_on": DATE, "ends_on": DATE, "note": forms.Textarea(attrs={"rows": 2})}

    def _post_clean(self):
        pass


NO_ASSIGNEE = "none"


class TargetFilterForm(forms.Form):
    """The filters of the list of targets not yet reached."""

    region = forms.TypedChoiceField(label=_("Community"), required=False, coerce=int, empty_value=None,
                                    widget=FastSelect)
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False, widget=FastSelect)

    def __init__(self, *args, communities: list[tuple[int, str]], users: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("All communities"))] + communities
        self.fields["assignee"].choices = [("", _("Anyone or nobody")), (NO_ASSIGNEE, _("Nobody yet"))] + users


class AssignForm(forms.Form):
    targets = forms.TypedMultipleChoiceField(label=_("Targets"), coerce=int)
    assignee = UserChoiceField(label=_("Assign to"), queryset=User.objects.none(), required=False,
                               empty_label=_("Nobody (clear the assignment)"))

    def __init__(self, *args, user, target_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_users(user)
        self.fields["targets"].choices = [(pk, pk) for pk in target_ids]


class OrgVisitForm(forms.Form):
    visited_at = forms.DateTimeField(label=_("Date and time"), widget=DATETIME,
                                     input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                     initial=lambda: timezone.localtime().replace(second=0, microsecond=0))
    kind = forms.ChoiceField(label=_("Kind"), choices=VisitKind.choices, initial=VisitKind.HOME)
    place = forms.CharField(label=_("Place"), max_length=120, required=False)
    other_visitors = forms.CharField(label=_("Other visitors"), max_length=120, required=False,
                                     help_text=_("Names of visitors without an account, e.g. a district leader."))
    money = forms.DecimalField(label=_("Money given (yuan)"), max_digits=9, decimal_places=2, min_value=0,
                               required=False)
    gifts = forms.CharField(label=_("Gifts"), max_length=200, required=False)
    findings = forms.CharField(label=_("What was found"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    once = idempotency.TokenField()


class RequestFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False, choices=[
        ("open", _("Open")), ("overdue", _("Overdue")), *RequestStatus.choices, ("all", _("All"))])
    source = forms.ChoiceField(label=_("Source"), required=False,
                               choices=[("", _("Any source")), *RequestSource.choices])
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("Any category")), *RequestCategory.choices])
    mine = forms.BooleanField(label=_("Handled by me"), required=False)
    q = forms.CharField(label=_("Search by name or pinyin"), max_length=40, required=False)


class RequestForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"), choices=[c for c in RequestSource.choices
                                                           if c[0] != RequestSource.TERMINAL])
    category = forms.ChoiceField(label=_("Category"), choices=[c for c in RequestCategory.choices
                                                               if c[0] != RequestCategory.EMERGENCY])
    summary = forms.CharField(label=_("What is asked"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    urgent = forms.BooleanField(label=_("Urgent"), required=False)
    received_on = forms.DateField(label=_("Received on"), widget=DATE, initial=timezone.localdate)
    once = idempotency.TokenField()


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class AssigneeForm(forms.Form):
    assignee = UserChoiceField(label=_("Handled by"), queryset=User.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_users(user)


class OutcomeForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class FollowUpForm(forms.Form):
    satisfaction = forms.ChoiceField(label=_("Satisfaction"), required=False,
                                     choices=[("", "—"), *Satisfaction.choices])


class DeviceForm(forms.Form):
    name = forms.CharField(label=_("Name of the terminal"), max_length=60,
                           help_text=_("For example: the call button in the bedroom."))


class IdForm(forms.Form):
    """An id given in the query string, bounded so that no absurd number reaches the database."""

    pk = forms.IntegerField(min_value=1, max_value=MAX_ID)
