from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("users/", views.user_list, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:pk>/scopes/<int:scope_pk>/remove/", views.scope_remove, name="scope_remove"),
    path("pairings/<int:person_pk>/new/", views.pairing_add, name="pairing_add"),
    path("pairings/<int:person_pk>/<int:pairing_pk>/end/", views.pairing_end, name="pairing_end"),
    path("access-log/", views.access_log, name="access_log"),
    path("changes/", views.change_log, name="change_log"),
]
