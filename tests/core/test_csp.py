"""Content-Security-Policy (security review finding 15): every page sends a policy that allows scripts only
from the site itself (no inline script, no remote host), and the pages carry no inline script."""

import re

import pytest
from django.test import Client

from tests.institutions import helpers

pytestmark = pytest.mark.django_db
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


def _pages():
    staff = helpers.plain_user("csp-root", is_staff=True, is_superuser=True)
    admin = Client()
    admin.force_login(staff)
    inst = helpers.institution(code="CSP1")
    portal = Client()
    portal.force_login(helpers.portal_user(inst, "admin"))
    return [
        (Client(), "/admin/login/"),
        (admin, "/admin/"),
        (admin, f"/admin/institutions/institution/{inst.pk}/change/"),
        (admin, "/admin/auth/user/add/"),
        (Client(), "/me/login/"),
        (Client(), "/me/activate/"),
        (Client(), "/portal/login/"),
        (portal, "/portal/"),
        (admin, "/api/docs/"),
    ]


def test_every_page_allows_scripts_only_from_the_site_and_has_no_inline_script():
    for client, url in _pages():
        response = client.get(url)
        assert response.status_code == 200, url
        policy = _policy(response)
        assert policy["default-src"] == ["'self'"], url
        assert policy["script-src"] == ["'self'"], url
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"], url
        assert not any(
            "://" in source or source in ("*", "https:", "http:")
            for sources in policy.values()
            for source in sources
        ), url
        assert not INLINE_SCRIPT.search(response.content.decode()), url


def test_the_api_docs_start_swagger_ui_from_a_script_of_the_site():
    client = Client()
    client.force_login(helpers.plain_user("csp-docs", is_staff=True))
    page = client.get("/api/docs/").content.decode()
    script = re.search(r'<script src="([^"]*\?script=?)"', page)
    assert script is not None, page
    response = client.get(script.group(1))
    assert response.status_code == 200 and "SwaggerUIBundle" in response.content.decode()


def test_the_api_docs_load_nothing_from_the_internet():
    """Swagger UI's own files (bundle, preset, CSS, favicon) are the site's static files (sidecar), so the docs
    work offline and under the policy; every file the page names is served by the site."""
    client = Client()
    client.force_login(helpers.plain_user("csp-offline", is_staff=True))
    page = client.get("/api/docs/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and not [s for s in sources if "://" in s or s.startswith("//")], sources
    assert any("swagger-ui-bundle.js" in s for s in sources), sources
    for source in sources:
        assert client.get(source).status_code == 200, source


def test_the_api_docs_page_and_its_start_script_name_no_internet_address():
    """Issue 16: /api/docs/ works without internet. Neither the page nor its start script names an http(s)
    address, and Swagger UI's validator badge (an image from validator.swagger.io by default) is turned off."""
    client = Client()
    client.force_login(helpers.plain_user("docs-offline", is_staff=True))
    page = client.get("/api/docs/").content.decode()
    script_url = re.search(r'<script src="([^"]*\?script=?)"', page).group(1)
    script = client.get(script_url).content.decode()
    for text in (page, script):
        assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", text, re.IGNORECASE), text[:3000]
    assert '"validatorUrl": null' in script
