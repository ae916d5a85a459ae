"""Security headers, Chinese by default whatever the browser says, and roles shown by their labels."""

from django.test import override_settings


def test_pages_carry_a_content_security_policy_without_inline_code(client):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=31_536_000)
def test_https_is_enforced_when_secure(client):
    assert client.get("/accounts/login/").status_code == 301
    assert "max-age=31536000" in client.get("/accounts/login/", secure=True)["Strict-Transport-Security"]


def test_the_account_page_has_no_inline_style(world, client_for):
    for persona in ("secadmin", "sysadmin"):
        page = client_for(persona).get(f"/accounts/users/{world.users['street'].pk}/").content.decode()
        assert "style=" not in page and "<style" not in page


def test_an_english_browser_gets_the_chinese_login_page(client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in page and "登录" in page


def test_a_language_chosen_by_the_user_is_kept(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert 'lang="en"' in page


def test_roles_are_shown_by_their_chinese_labels_on_the_account_pages(world, client_for):
    for persona in ("sysadmin", "secadmin"):
        client = client_for(persona)
        for url in ("/accounts/users/", f"/accounts/users/{world.users['secretary'].pk}/"):
            page = client.get(url).content.decode()
            assert "支部书记" in page or "书记" in page, (persona, url)
            assert "tag\">secretary<" not in page
