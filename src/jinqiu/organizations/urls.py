from django.urls import path

from jinqiu.people import export_views

from . import views

app_name = "organizations"
urlpatterns = [
    path("", views.org_list, name="list"),
    path("new/", views.org_create, name="create"),
    path("<int:pk>/", views.org_detail, name="detail"),
    path("<int:pk>/children/", views.org_children, name="children"),
    path("<int:pk>/edit/", views.org_edit, name="edit"),
    path("<int:pk>/move/", views.org_move, name="move"),
    path("<int:pk>/dissolve/", views.org_dissolve, name="dissolve"),
    path("<int:pk>/officers/new/", views.officer_add, name="officer_add"),
    path("<int:pk>/officers/<int:term_pk>/end/", views.officer_end, name="officer_end"),
    path("<int:pk>/roster/", export_views.roster_export, name="roster_export"),
    path("<int:pk>/roster/full/", export_views.roster_export_full, name="roster_export_full"),
    path("units/", views.unit_list, name="units"),
    path("units/export/", export_views.unit_export, name="units_export"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
]
