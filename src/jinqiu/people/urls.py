from django.urls import path

from . import export_views, views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("pending/", views.pending_list, name="pending"),
    path("unplaced/", views.unplaced_list, name="unplaced"),
    path("unplaced/<int:pk>/place/", views.person_place, name="place"),
    path("pending/export/", export_views.pending_export, name="pending_export"),
    path("export/", export_views.person_export, name="export"),
    path("export/full/", export_views.person_export_full, name="export_full"),
    path("export/template/", export_views.template_export, name="export_template"),
    path("new/", views.person_create, name="create"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/transfer/", views.person_transfer, name="transfer"),
    path("<int:pk>/join/", views.person_join, name="join"),
    path("<int:pk>/memberships/<int:membership_pk>/end/", views.membership_end, name="membership_end"),
    path("<int:pk>/death/", views.person_death, name="death"),
    path("<int:pk>/move-away/", views.person_move_away, name="move_away"),
    path("<int:pk>/survivors/new/", views.survivor_add, name="survivor_add"),
    path("<int:pk>/reveal/", views.person_reveal, name="reveal"),
]
