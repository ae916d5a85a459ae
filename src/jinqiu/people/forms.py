from django import forms
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jinqiu.core.phones import mask_phone
from jinqiu.core.widgets import DateInput, FastSelect, SearchableSelect, TreeChoiceField, label_with_ancestors
from jinqiu.organizations.models import Establishment, PartyOrg, Unit
from jinqiu.regions.models import Region, RegionLevel

from .models import AgeBand, OfficerRole, Person, PersonStatus, RetirementType, Situation
from .services import PERSON_FIELDS

DATE = DateInput()
# A filter select longer than this is cut to the upper levels of its tree (the chosen value always stays).
FILTER_OPTIONS_MAX = 300


def _shallow_tree_choices(field: forms.ModelChoiceField, selected) -> None:
    """Offer the deepest levels that fit in FILTER_OPTIONS_MAX options; validation still takes any value."""
    qs = field.queryset
    per_depth = dict(qs.order_by().values_list("depth").annotate(n=Count("id")))
    if sum(per_depth.values()) <= FILTER_OPTIONS_MAX:
        return
    depth, total = 0, 0
    for d in sorted(per_depth):
        if total + per_depth[d] > FILTER_OPTIONS_MAX:
            break
        depth, total = d, total + per_depth[d]
    nodes = list(qs.filter(depth__lte=depth))
    chosen = qs.filter(pk=getattr(selected, "pk", selected)).first() if selected else None
    if chosen is not None and chosen.depth > depth:
        nodes.append(chosen)
    if isinstance(field, TreeChoiceField):  # organisations: each named with its parents, like the full list
        field.choices = [("", field.empty_label)] + [(n.pk, n._path_label) for n in label_with_ancestors(nodes)]
        return
    field.choices = [("", field.empty_label)] + [(n.pk, "\u3000" * (n.depth - 1) + str(n)) for n in nodes]



class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Name, pinyin, initials or last 4 of ID"),
                                                      "type": "search", "autocomplete": "off"}))
    org = TreeChoiceField(label=_("Organisation"), queryset=PartyOrg.objects.none(), required=False,
                          widget=FastSelect)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.none(), required=False,
                                    widget=FastSelect)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False, widget=FastSelect)
    retirement_type = forms.ChoiceField(label=_("Retirement type"), required=False,
                                        choices=[("", _("All"))] + RetirementType.choices)
    age_band = forms.ChoiceField(label=_("Age"), required=False, choices=[("", _("All"))] + AgeBand.choices)
    situation = forms.MultipleChoiceField(label=_("Situation"), required=False, choices=Situation.choices,
                                          widget=forms.CheckboxSelectMultiple)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=PersonStatus.choices + [("all", _("All"))])
    party = forms.ChoiceField(label=_("Party membership"), required=False,
                              choices=[("", _("All")), ("yes", _("Party members")), ("no", _("Not members"))])
    pending = forms.BooleanField(label=_("Membership relation not settled"), required=False)

    def __init__(self, *args, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs.filter(dissolved_on__isnull=True).order_by("path") if orgs is not None \
            else PartyOrg.objects.none()
        self.fields["region"].queryset = Region.objects.order_by("path")
        self.fields["unit"].queryset = Unit.objects.only("id", "name").order_by("name")
        for name in ("org", "region"):
            _shallow_tree_choices(self.fields[name], self.data.get(name) if self.is_bound else None)


def filter_errors(form: forms.Form) -> list[str]:
    """Each error of a filter form as one sentence naming the filter: "党组织：请选择有效的选项……"."""
    return [gettext("%(filter)s: %(error)s") % {"filter": form.fields[name].label if name in form.fields
                                                 else gettext("Filter"), "error": error}
            for name, errors in form.errors.items() for error in errors]


def describe_filters(form: forms.Form) -> str:
    """A valid filter form in words, for the access log: labels and the chosen objects' names, never codes."""
    parts = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in (None, "", [], False) or isinstance(field, forms.CharField) and not str(value).strip():
            continue
        if isinstance(field, forms.ModelChoiceField):
            text = field.label_from_instance(value)  # an organisation with its parents
        elif isinstance(field, forms.MultipleChoiceField):
            labels = dict(field.choices)
            text = "、".join(str(labels.get(v, v)) for v in value)
        elif isinstance(field, forms.ChoiceField):
            text = str(dict(field.choices).get(value, value))
        elif isinstance(field, forms.BooleanField):
            parts.append(str(field.label))  # a ticked box reads as its label: "待落实组织关系"
            continue
        else:
            text = str(value)
        parts.append(gettext("%(filter)s: %(value)s") % {"filter": field.label, "value": text})
    return gettext("; ").join(parts)


# Phones shown masked on the edit form; the first two may be revealed there with a reason.
MASKED_PHONES = ("mobile", "phone", "emergency_phone")
REVEALABLE_PHONES = ("mobile", "phone")


class PersonForm(forms.ModelForm):
    id_number = forms.CharField(label=_("ID number"), max_length=40,
                                help_text=_("18 characters; a 15-digit number is converted."))

    class Meta:
        model = Person
        fields = [f for f in PERSON_FIELDS if f not in ("birth_date", "gender")]
        widgets = {
            "retirement_date": DATE, "joined_party_on": DATE, "full_member_on": DATE,
            "note": forms.Textarea(attrs={"rows": 3}),
            "region": SearchableSelect, "original_unit": SearchableSelect, "service_unit": SearchableSelect,
        }

    def __init__(self, *args, editing: bool = False, revealed: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["name", "id_number"])
        self.fields["name"].label = _("Full name")
        self.stored_phones: dict[str, str] = {}
        if editing and self.instance.pk:
            for name in MASKED_PHONES:
                stored = getattr(self.instance, name)
                if not stored:
                    continue
                self.stored_phones[name] = stored
                self.initial[name] = (revealed or {}).get(name) or mask_phone(stored)
                self.fields[name].help_text = _("Shown masked: leave it to keep the number, or type a new one.")
        self.fields["region"].queryset = Region.objects.filter(
            level__in=[RegionLevel.COMMUNITY, RegionLevel.VILLAGE]).order_by("path")
        self.fields["original_unit"].queryset = Unit.objects.order_by("name")
        self.fields["service_unit"].queryset = Unit.objects.order_by("name")
        if editing:
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = _("Leave empty to keep the current number.")

    def _phone(self, name: str) -> str:
        value = (self.cleaned_data.get(name) or "").strip()
        stored = self.stored_phones.get(name)
        if stored and value == mask_phone(stored):
            return stored  # the masked value came back untouched: keep the number
        if "*" in value:
            raise forms.ValidationError(_("Type the full number, or leave the masked value to keep the current one."))
        return value

    def clean_mobile(self) -> str:
        return self._phone("mobile")

    def clean_phone(self) -> str:
        return self._phone("phone")

    def clean_emergency_phone(self) -> str:
        return self._phone("emergency_phone")


class PersonCreateForm(PersonForm):
    primary_org = TreeChoiceField(label=_("Membership relation in"), queryset=PartyOrg.objects.none(),
                                  required=False)
    outside_org_name = forms.CharField(label=_("or outside the system, in"), required=False, max_length=120,
                                       help_text=_("For example: 组织关系在原单位"))

    def __init__(self, *args, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        if orgs is not None:
            self.fields["primary_org"].queryset = orgs.filter(
                establishment=Establishment.FORMAL, dissolved_on__isnull=True).order_by("path")


class TransferForm(forms.Form):
    org = TreeChoiceField(label=_("New organisation"), queryset=PartyOrg.objects.none(), required=False)
    outside_org_name = forms.CharField(label=_("or outside the system, in"), required=False, max_length=120)
    on = forms.DateField(label=_("Date"), initial=timezone.localdate, widget=DATE)

    def __init__(self, *args, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs.filter(
            establishment=Establishment.FORMAL, dissolved_on__isnull=True).order_by("path")


class JoinForm(forms.Form):
    org = TreeChoiceField(label=_("Functional or temporary organisation"), queryset=PartyOrg.objects.none())
    on = forms.DateField(label=_("From"), initial=timezone.localdate, widget=DATE)

    def __init__(self, *args, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs.exclude(establishment=Establishment.FORMAL).filter(
            dissolved_on__isnull=True).order_by("path")


class EndMembershipForm(forms.Form):
    on = forms.DateField(label=_("Until"), initial=timezone.localdate, widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=120, required=False)


class DeathForm(forms.Form):
    died_on = forms.DateField(label=_("Date of death"), widget=DATE)


class MoveAwayForm(forms.Form):
    on = forms.DateField(label=_("Date moved away"), initial=timezone.localdate, widget=DATE)
    moved_to = forms.CharField(label=_("Moved to"), max_length=120)


class PlaceForm(forms.Form):
    """待归属: where a person nobody sees belongs: a community of residence, a party organisation, or both."""
    region = forms.ModelChoiceField(label=_("Community of residence"), queryset=Region.objects.none(), required=False,
                                    widget=SearchableSelect)
    org = TreeChoiceField(label=_("Party organisation (membership relation)"), queryset=PartyOrg.objects.none(),
                          required=False)
    on = forms.DateField(label=_("Membership relation since"), initial=timezone.localdate, widget=DATE)

    def __init__(self, *args, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.filter(
            level__in=[RegionLevel.COMMUNITY, RegionLevel.VILLAGE]).order_by("path")
        self.fields["org"].queryset = orgs.filter(
            establishment=Establishment.FORMAL, dissolved_on__isnull=True).order_by("path")

    def clean(self):
        data = super().clean()
        if not data.get("region") and not data.get("org"):
            raise forms.ValidationError(_("Choose the %(region)s or the %(org)s (or both).") % {
                "region": self.fields["region"].label, "org": self.fields["org"].label})
        return data


class SurvivorForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=50)
    relation = forms.CharField(label=_("Relation"), max_length=20)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class RevealForm(forms.Form):
    field = forms.ChoiceField(choices=[("id_number", _("ID number")), ("mobile", _("Mobile")),
                                       ("phone", _("Landline"))], widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason for viewing"), max_length=200)


class OfficerForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=OfficerRole.choices)
    person = forms.ModelChoiceField(label=_("Member"), queryset=Person.objects.none(), required=False)
    name = forms.CharField(label=_("or name (in-service cadre not in the registry)"), max_length=50,
                           required=False)
    in_service = forms.BooleanField(label=_("In-service cadre holding the post"), required=False)
    started_on = forms.DateField(label=_("Term from"), initial=timezone.localdate, widget=DATE)

    def __init__(self, *args, persons=None, **kwargs):
        super().__init__(*args, **kwargs)
        if persons is not None:
            self.fields["person"].queryset = persons.order_by("name")


class OfficerEndForm(forms.Form):
    on = forms.DateField(label=_("Term until"), initial=timezone.localdate, widget=DATE)
