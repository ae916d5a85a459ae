from django import forms
from django.utils.translation import gettext_lazy as _

from jinqiu.core.widgets import TreeChoiceField

from .models import Region, RegionLevel


class RegionForm(forms.Form):
    parent = TreeChoiceField(label=_("Parent region"), queryset=Region.objects.none(), required=False)
    name = forms.CharField(label=_("Name"), max_length=100)
    level = forms.ChoiceField(label=_("Level"), choices=RegionLevel.choices)
    code = forms.CharField(label=_("Division code"), max_length=12, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Region.objects.filter(depth__lte=3).order_by("path")


class RegionRenameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    code = forms.CharField(label=_("Division code"), max_length=12, required=False)


class RegionMoveForm(forms.Form):
    parent = TreeChoiceField(label=_("New parent region"), queryset=Region.objects.none())

    def __init__(self, *args, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Region.objects.exclude(path__startswith=region.path).order_by("path")
