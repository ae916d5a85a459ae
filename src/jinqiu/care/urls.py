from django.urls import path

from .views import campaigns, cards, devices, pairing, requests, tasks, visits

app_name = "care"
urlpatterns = [
    # 六必访 tasks, rules, the pairing gaps
    path("", tasks.task_list, name="tasks"),
    path("tasks.xlsx", tasks.task_export, name="task_export"),
    path("tasks/<int:pk>/", tasks.task_detail, name="task"),
    path("tasks/<int:pk>/exempt/", tasks.task_exempt, name="task_exempt"),
    path("tasks/<int:pk>/assign/", tasks.task_assign, name="task_assign"),
    path("rules/", tasks.rule_list, name="rules"),
    path("rules/<int:pk>/", tasks.rule_edit, name="rule_edit"),
    path("unpaired/", tasks.unpaired, name="unpaired"),
    path("unpaired.xlsx", tasks.unpaired_export, name="unpaired_export"),
    # 结对联系: who is due a call or a visit, and the contact rules
    path("pairing/", pairing.pairing_list, name="pairing"),
    path("pairing.xlsx", pairing.pairing_export, name="pairing_export"),
    path("pairing/rules/<int:pk>/", pairing.contact_rule_edit, name="contact_rule"),
    # 联系卡
    path("cards/", cards.community_cards, name="cards"),
    path("persons/<int:pk>/card.pdf", cards.person_card, name="card"),
    # a person's care page, visits and hospital stays
    path("persons/<int:pk>/", visits.person_care, name="person"),
    path("persons/<int:pk>/visit/", visits.visit_create, name="visit_create"),
    path("persons/<int:pk>/hospital/", visits.hospital_create, name="hospital_create"),
    path("hospital/<int:pk>/edit/", visits.hospital_edit, name="hospital_edit"),
    path("visits/", visits.visit_list, name="visits"),
    path("visits.xlsx", visits.visit_export, name="visit_export"),
    path("visits/<int:pk>/", visits.visit_detail, name="visit"),
    path("visits/<int:pk>/photos/<int:photo_pk>/", visits.visit_photo, name="visit_photo"),
    # campaigns (走访慰问) and organisation visits
    path("campaigns/", campaigns.campaign_list, name="campaigns"),
    path("campaigns/new/", campaigns.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/refresh/", campaigns.campaign_refresh, name="campaign_refresh"),
    path("campaigns/<int:pk>/assign/", campaigns.campaign_assign, name="campaign_assign"),
    path("campaigns/<int:pk>/targets.xlsx", campaigns.campaign_export, name="campaign_export"),
    path("orgs/<int:pk>/visit/", campaigns.org_visit_create, name="org_visit_create"),
    # requests (诉求)
    path("requests/", requests.request_list, name="requests"),
    path("requests.xlsx", requests.request_export, name="request_export"),
    path("persons/<int:pk>/request/", requests.request_create, name="request_create"),
    path("requests/<int:pk>/", requests.request_detail, name="request"),
    path("requests/<int:pk>/<slug:action>/", requests.request_act, name="request_act"),
    # 一键呼叫 terminals
    path("devices/", devices.device_list, name="devices"),
    path("persons/<int:pk>/device/", devices.device_register, name="device_register"),
    path("devices/<int:pk>/revoke/", devices.device_revoke, name="device_revoke"),
]
