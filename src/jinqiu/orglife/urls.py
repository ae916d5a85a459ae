from django.urls import path

from . import views

app_name = "orglife"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("behind.xlsx", views.overview_export, name="overview_export"),
    path("rules/", views.rules, name="rules"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("orgs/<int:pk>/", views.calendar, name="calendar"),
    path("orgs/<int:pk>/new/", views.meeting_create, name="meeting_create"),
    path("orgs/<int:pk>/book.docx", views.book_docx, name="book_docx"),
    path("orgs/<int:pk>/book.xlsx", views.book_xlsx, name="book_xlsx"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/hold/", views.meeting_hold, name="meeting_hold"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/reopen/", views.meeting_reopen, name="meeting_reopen"),
    path("meetings/<int:pk>/all-present/", views.attendance_all, name="attendance_all"),
    path("meetings/<int:pk>/files/", views.file_add, name="file_add"),
    path("meetings/<int:pk>/files/<int:file_pk>/", views.file_download, name="file_download"),
    path("attendance/<int:pk>/", views.attendance_set, name="attendance_set"),
    path("attendance/<int:pk>/delivered/", views.makeup_create, name="makeup_create"),
    path("persons/<int:pk>/", views.person_attendance, name="person"),
]
