"""UI language: Chinese (zh-hans) by default, English available, admin included."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation

PO_PATH = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
pytestmark = pytest.mark.django_db

PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrx%]|\{[^{}]*\}")


def read_po(path=PO_PATH):
    """The .po entries as dicts: msgid, msgid_plural, msgstr (or msgstr[n]), flags, line. Header skipped."""
    entries, entry, key = [], None, None

    def finish():
        if entry is not None and entry.get("msgid", "") != "" and not entry.get("obsolete"):
            entries.append(entry)

    for no, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            finish()
            entry, key = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "line": no}
        if line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    finish()
    return entries


def test_po_file_exists_and_is_compiled():
    assert PO_PATH.exists(), "run makemessages -l en"
    assert MO_PATH.exists(), "run compilemessages (the .mo is committed)"


def project_catalogs():
    """The project catalog and any app catalog (enrollment/locale, ltci/core/locale, ...)."""
    base = Path(settings.BASE_DIR)
    app_catalogs = [
        p
        for pattern in ("*/locale", "*/*/locale")
        for p in base.glob(pattern)
        if not p.relative_to(base).parts[0].startswith(".")
    ]
    found = [d / "en" / "LC_MESSAGES" / "django.po" for d in app_catalogs]
    return [PO_PATH] + sorted(p for p in found if p.exists())


@pytest.mark.parametrize("po_path", project_catalogs(), ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_po_has_no_untranslated_or_fuzzy_entries(po_path):
    entries = read_po(po_path)
    assert len(entries) > (500 if po_path == PO_PATH else 0)
    untranslated = [e["msgid"] for e in entries if not all(v for k, v in e.items() if k.startswith("msgstr"))]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert not untranslated, (
        f"{len(untranslated)} msgids without English text (add them to scripts/i18n/en_*.tsv and run "
        f"scripts/i18n/translate_po.py): {untranslated[:20]}"
    )
    assert not fuzzy, f"fuzzy entries: {fuzzy[:20]}"


def test_po_translations_keep_the_placeholders():
    wrong = []
    for e in read_po():
        for k, v in e.items():
            if k.startswith("msgstr"):
                source = e["msgid_plural"] if k == "msgstr[1]" else e["msgid"]
                if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(v)):
                    wrong.append((source, v))
    assert not wrong


def test_mo_is_compiled_from_the_current_po():
    stale = []
    with translation.override("en"):
        for e in read_po():
            if "msgstr" in e and translation.gettext(e["msgid"]) != e["msgstr"]:
                stale.append(e["msgid"])
    assert not stale, f"run compilemessages: {stale[:10]}"


def test_model_verbose_names_translate():
    from enrollment.models import Person

    with translation.override("zh-hans"):
        assert str(Person._meta.verbose_name) == "参保人"
        assert str(Person._meta.get_field("national_id").verbose_name) == "公民身份号码"
    with translation.override("en"):
        assert str(Person._meta.verbose_name) == "Insured person"
        assert str(Person._meta.get_field("national_id").verbose_name) == "Citizen ID number"


def test_admin_login_page_is_chinese_by_default(client):
    html = client.get("/admin/login/").content.decode()
    assert 'lang="zh-hans"' in html
    assert "用户名" in html and "登录" in html
    assert "Log in" not in html


def test_admin_login_page_stays_chinese_with_an_english_browser(client):
    # ltci.core.middleware.ChineseByDefaultMiddleware ignores Accept-Language: English only when chosen
    html = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in html and "用户名" in html


def test_admin_login_page_is_english_with_the_language_cookie(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert 'lang="en"' in html
    assert "Username" in html and "Log in" in html
    assert "用户名" not in html


def test_admin_login_page_has_the_language_switch(client):
    html = client.get("/admin/login/").content.decode()
    assert 'action="/i18n/setlang/"' in html
    assert 'name="language" value="en"' in html and "English" in html and "中文" in html
    assert 'id="login-form"' in html  # Django's own login form is still there


def test_admin_index_shows_our_apps_and_models_in_english(client):
    user = get_user_model().objects.create_superuser("i18n-admin")
    client.force_login(user)
    zh = client.get("/admin/").content.decode()
    assert "参保与筹资" in zh and "参保人" in zh
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = client.get("/admin/").content.decode()
    assert "Enrollment and funding" in en and "Insured person" in en and "Agreement institution" in en
    assert "参保与筹资" not in en
    # the switch is in the branding block of every admin page, next to the user links
    assert 'action="/i18n/setlang/"' in en and 'id="logout-form"' in en


def test_portal_login_page_is_chinese_by_default(client):
    html = client.get("/portal/login/").content.decode()
    assert "协议机构服务平台登录" in html
    assert 'action="/i18n/setlang/"' in html


def test_portal_login_page_is_english_when_english_is_chosen(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/portal/login/").content.decode()
    assert 'lang="en"' in html
    assert "Agreement Institution Portal login" in html
    assert "Long-Term Care Insurance Office System" in html
    assert "协议机构服务平台登录" not in html


def test_status_login_page_is_english_with_the_language_cookie(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/me/login/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "Insured person login" in html
    assert "参保人登录" not in html


def test_setlang_switches_to_english_and_the_next_page_is_english(client):
    page = client.get("/portal/login/").content.decode()
    assert 'name="next" value="/portal/login/"' in page
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/portal/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/portal/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = client.get(response["Location"]).content.decode()
    assert "Agreement Institution Portal login" in html
    assert 'value="en" lang="en" aria-current="true"' in html


def test_setlang_back_to_chinese(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/me/login/"})
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/me/login/"}, follow=True)
    assert "参保人登录" in response.content.decode()


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/"])
def test_setlang_does_not_redirect_to_other_hosts(client, next_url):
    response = client.post("/i18n/setlang/", {"language": "en", "next": next_url})
    assert "evil.example" not in response.get("Location", "")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_clicking_english_in_the_header_switches_the_portal_and_admin(live_server, browser):
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{live_server.url}/portal/login/")
    assert "协议机构服务平台登录" in page.content()
    page.click("header .lang-switch button[value=en]")
    page.wait_for_url(f"{live_server.url}/portal/login/")
    assert "Agreement Institution Portal login" in page.inner_text("main")
    page.screenshot(path=str(Path(settings.BASE_DIR) / ".local" / "i18n-portal-login.png"))
    page.goto(f"{live_server.url}/admin/login/")
    assert "Username" in page.inner_text("#content")
    page.click("#branding .lang-switch button[value=zh-hans]")
    page.wait_for_url(f"{live_server.url}/admin/login/")
    assert "用户名" in page.inner_text("#content")
    page.screenshot(path=str(Path(settings.BASE_DIR) / ".local" / "i18n-admin-login.png"))
