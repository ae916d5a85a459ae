from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jinqiu.core.widgets import DateInput, TreeChoiceField
from jinqiu.regions.models import Region

from .models import Establishment, LocationType, OrgKind, PartyOrg, Unit, UnitKind

DATE = DateInput()


class OrgFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, widget=forms.TextInput(attrs={"type": "search"}))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All"))] + OrgKind.choices)
    establishment = forms.ChoiceField(
        label=_("Establishment"), required=False,
        choices=[("", _("All")), ("informal", _("Functional or temporary"))] + Establishment.choices)
    location_type = forms.ChoiceField(label=_("Location"), required=False,
                                      choices=[("", _("All"))] + LocationType.choices)
    active = forms.ChoiceField(label=_("State"), required=False,
                               choices=[("yes", _("Active")), ("no", _("Dissolved")), ("all", _("All"))])
    in_service_secretary = forms.BooleanField(label=_("Secretary is an in-service cadre"), required=False)


class OrgForm(forms.ModelForm):
    class Meta:
        model = PartyOrg
        fields = ["name", "kind", "establishment", "formation", "location_type", "unit", "region",
                  "collects_dues", "brand", "features", "founded_on"]
        widgets = {"founded_on": DATE, "features": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.order_by("name")
        self.fields["region"].queryset = Region.objects.order_by("path")


class OrgCreateForm(OrgForm):
    parent = TreeChoiceField(label=_("Parent organisation"), queryset=PartyOrg.objects.none(), required=False)

    class Meta(OrgForm.Meta):
        fields = ["parent", *OrgForm.Meta.fields]

    def __init__(self, *args, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = orgs.filter(dissolved_on__isnull=True).exclude(kind="xiaozu") \
            .order_by("path")


class OrgMoveForm(forms.Form):
    parent = TreeChoiceField(label=_("New parent organisation"), queryset=PartyOrg.objects.none())

    def __init__(self, *args, orgs=None, org=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = orgs.filter(dissolved_on__isnull=True).exclude(
            path__startswith=org.path).order_by("path")


class OrgDissolveForm(forms.Form):
    on = forms.DateField(label=_("Dissolved on"), initial=timezone.localdate, widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=200)


class UnitFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, widget=forms.TextInput(attrs={"type": "search"}))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All"))] + UnitKind.choices)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.none(), required=False)
    has_org = forms.ChoiceField(label=_("Retired cadres' party organisation"), required=False,
                                choices=[("", _("All")), ("yes", _("Has one")), ("no", _("Has none"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.filter(depth__lte=2).order_by("path")


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["name", "kind", "region", "parent", "is_active", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.order_by("path")
        self.fields["parent"].queryset = Unit.objects.order_by("name")
