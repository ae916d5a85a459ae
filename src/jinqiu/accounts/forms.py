from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from jinqiu.core.widgets import DateInput, SearchableSelect
from jinqiu.organizations.models import PartyOrg, Unit
from jinqiu.regions.models import Region

from .models import Role


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Wrong user name or password. After 5 failures the account is locked for 30 minutes."),
        "inactive": _("This account has been disabled."),
    }


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    display_name = forms.CharField(label=_("Display name"), max_length=50, required=False)
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput(render_value=False))
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple)
    person_id_number = forms.CharField(
        label=_("ID number of the member (member accounts only)"), max_length=40, required=False,
        help_text=_("Links the account to the member's own record; nothing of the record is shown here."))


class PairingForm(forms.Form):
    contact = forms.ModelChoiceField(label=_("Pair contact"), queryset=None)
    started_on = forms.DateField(label=_("From"), widget=DateInput)

    def __init__(self, *args, **kwargs):
        from django.utils import timezone

        from .models import User

        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = User.objects.filter(
            is_active=True, roles__role=Role.PAIR_CONTACT).order_by("display_name", "username")
        self.fields["started_on"].initial = timezone.localdate


class UserRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple)


class ScopeForm(forms.Form):
    org = forms.ModelChoiceField(label=_("Party organisation"), queryset=PartyOrg.objects.none(), required=False,
                                 widget=SearchableSelect)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.none(), required=False,
                                    widget=SearchableSelect)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False,
                                  widget=SearchableSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = PartyOrg.objects.filter(dissolved_on__isnull=True).order_by("path")
        self.fields["region"].queryset = Region.objects.order_by("path")
        self.fields["unit"].queryset = Unit.objects.order_by("name")

    def clean(self):
        data = super().clean()
        chosen = [data.get(k) for k in ("org", "region", "unit") if data.get(k)]
        if len(chosen) != 1:
            raise forms.ValidationError(_("Choose exactly one organisation, region or unit."))
        data["node"] = chosen[0]
        return data
