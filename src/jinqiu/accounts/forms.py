from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from jinqiu.core.widgets import DateInput, SearchableSelect, TreeChoiceField
from jinqiu.organizations.models import PartyOrg, Unit
from jinqiu.regions.models import Region

from .models import ADMIN_ROLES, Role


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Wrong user name or password. After 5 failures the account is locked for 30 minutes."),
        "inactive": _("This account has been disabled."),
    }


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    display_name = forms.CharField(label=_("Display name"), max_length=50, required=False)
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput(render_value=False),
                               help_text=_("The user must replace it at the first login."))
    # The 系统管理员 creates accounts and the admin roles; roles that see personal data and scopes are then
    # granted by the 安全管理员 on the account's page.
    roles = forms.MultipleChoiceField(
        label=_("Administrator role"), choices=[c for c in Role.choices if c[0] in ADMIN_ROLES], required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Other roles and scopes are granted by the security administrator."))
    person_id_number = forms.CharField(
        label=_("ID number of the member (member accounts only)"), max_length=40, required=False,
        help_text=_("Links the account to the member's own record if there is one without an account; "
                    "nothing of the record is shown here, not even whether it exists."))


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("Current password"), strip=False,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password1 = forms.CharField(label=_("New password"), strip=False,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    new_password2 = forms.CharField(label=_("New password again"), strip=False,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, **kwargs):
        from django.contrib.auth.password_validation import password_validators_help_texts

        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = " ".join(password_validators_help_texts())

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", _("The two new passwords differ."))
        return data


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
    org = TreeChoiceField(label=_("Party organisation"), queryset=PartyOrg.objects.none(), required=False)
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
