from django.urls import path

from . import roster_views as views

app_name = "rosters"

urlpatterns = [
    path("", views.import_list, name="list"),
    path("<int:pk>/", views.import_detail, name="detail"),
    path("<int:pk>/progress", views.import_progress, name="progress"),
    path("<int:pk>/mapping", views.import_mapping, name="mapping"),
    path("<int:pk>/commit", views.import_commit, name="commit"),
    path("<int:pk>/errors.xlsx", views.import_errors, name="errors"),
]
