from django.urls import path

from . import views

app_name = "regions"
urlpatterns = [
    path("", views.region_list, name="list"),
    path("new/", views.region_create, name="create"),
    path("<int:pk>/", views.region_detail, name="detail"),
    path("<int:pk>/rename/", views.region_rename, name="rename"),
    path("<int:pk>/move/", views.region_move, name="move"),
]
