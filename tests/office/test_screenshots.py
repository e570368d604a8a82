"""Screenshots of the staff workspace (issue 16: looked at before resolving), from the demo data in real
Chromium, 1280 px wide, saved to docs/screenshots/: the supervisor's dashboard, the settlement officer's
dashboard, a person's case page and an institution's portal home. Not part of ``make test`` (it rewrites
files of the checkout; the crawler checks the same pages): run with ``pytest -m screenshots
tests/office/test_screenshots.py`` and commit the PNGs."""

import io
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count

from enrollment.models import Person
from ltci.core.demo import DEMO_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.screenshots,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDTH = 1280


def _page(browser, base, login_path, fields):
    context = browser.new_context(locale="zh-CN", viewport={"width": WIDTH, "height": 900})
    context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": base}])
    page = context.new_page()
    page.goto(f"{base}{login_path}")
    for selector, value in {**fields, "#id_password": DEMO_PASSWORD}.items():
        page.fill(selector, value)
    with page.expect_navigation():
        page.click("form:has(#id_password) [type=submit]")
    return page


def _shoot(page, base, path, name) -> Path:
    page.goto(f"{base}{path}")
    page.wait_for_load_state("networkidle")
    assert "Traceback" not in page.content()
    target = OUT / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    return target


def test_screenshots_of_the_dashboards_the_case_page_and_the_portal(live_server, browser, xuzhou):
    started = time.monotonic()
    call_command("seed_demo", persons=40, stdout=io.StringIO())
    print(f"demo data seeded in {time.monotonic() - started:.0f} s")
    OUT.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    person = (
        Person.objects.annotate(
            n=Count("settlement_lines", distinct=True), paid=Count("payments", distinct=True)
        )
        .filter(n__gt=0)
        .order_by("-paid", "-n", "pk")
        .first()
        or Person.objects.first()
    )
    supervisor = _page(browser, base, "/admin/login/", {"#id_username": "supervisor"})
    shots = [
        _shoot(supervisor, base, "/admin/", "dashboard-supervisor"),
        _shoot(supervisor, base, f"/admin/enrollment/person/{person.pk}/case/", "case-page"),
    ]
    settler = _page(browser, base, "/admin/login/", {"#id_username": "settler"})
    shots.append(_shoot(settler, base, "/admin/", "dashboard-settlement-officer"))
    portal = _page(browser, base, "/portal/login/", {"#id_username": "inst_residential"})
    shots.append(_shoot(portal, base, "/portal/", "portal-home"))
    for shot in shots:
        header = shot.read_bytes()[:24]  # PNG: the signature, then the IHDR chunk with width and height
        assert header[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(header[16:20], "big") == WIDTH, shot
