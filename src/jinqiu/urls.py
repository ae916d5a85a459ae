from django.http import HttpResponse
from django.urls import include, path

from jinqiu.api import api
from jinqiu.stats.views import home


def health(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("", home, name="home"),
    path("health", health, name="health"),
    path("accounts/", include("jinqiu.accounts.urls")),
    path("persons/", include("jinqiu.people.urls")),
    path("rosters/", include("jinqiu.people.roster_urls")),
    path("orgs/", include("jinqiu.organizations.urls")),
    path("regions/", include("jinqiu.regions.urls")),
    path("orglife/", include("jinqiu.orglife.urls")),
    path("care/", include("jinqiu.care.urls")),
    path("messages/", include("jinqiu.notifications.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
]

handler404 = "jinqiu.core.errors_views.not_found"
handler500 = "jinqiu.core.errors_views.server_error"
