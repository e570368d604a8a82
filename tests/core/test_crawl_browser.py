"""The crawler test of issue 16, in real Chromium: every demo user (one per staff role, an institution's portal
user, an insured person) signs in, and an anonymous visitor opens the public notice (issue 19); each visits
what is reachable from their home page and menus, breadth first (tests/crawler.py: at most two pages of a
kind, a cap per user). Each page answers 200 or the styled refusal, shows no traceback, and in Chinese no
English word outside the allow-list and no raw code.

The demo data is seeded once and every user is crawled in the same test (a transactional test empties the
database after it: one seeding per user would cost more than all the crawls). The problems are reported per
user and page; the pages visited are printed (pytest -s) for the issue's closing note.
"""

import io
import os
import re
import time

import pytest
from django.core.management import call_command

from benefits.models import InsuredAccount
from ltci.core.demo import DEMO_PASSWORD, STAFF_LOGINS

from ..crawler import crawl

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# a cap per user keeps make test short; LTCI_CRAWL_PAGES=1000 crawls everything reachable (for a closing note)
PAGES_PER_USER = int(os.environ.get("LTCI_CRAWL_PAGES", "60"))
# Pages whose texts are not all Chinese yet (issue 16, still open): their English words and codes are printed,
# not failed; status, traceback and refusal checks apply to them as to every page. Remove an entry once the
# page is translated; the test fails on any page not listed here.
NOT_YET_CHINESE: dict[str, str] = {}
PORTAL_USERS = ["inst_residential", "inst_homecare"]


def _sign_in(page, base, login_path, fields):
    page.goto(f"{base}{login_path}")
    for selector, value in fields.items():
        page.fill(selector, value)
    with page.expect_navigation():
        page.click("form:has(#id_password) [type=submit]")  # not the language switch's buttons


def _users():
    """(name, login path, form fields, start pages, scope) for every demo user."""
    users = [
        (name, "/admin/login/", {"#id_username": name}, ["/admin/"], "/admin/")
        for name, role in STAFF_LOGINS
        if role  # the superuser sees everything the roles see
    ]
    users += [
        (name, "/portal/login/", {"#id_username": name}, ["/portal/"], "/portal/") for name in PORTAL_USERS
    ]
    person = InsuredAccount.objects.filter(activated_at__isnull=False, person__isnull=False).first()
    users.append(("insured", "/me/login/", {"#id_national_id": person.national_id}, ["/me/"], "/me/"))
    # Anyone, without a login: the public notice of conclusions (公示, issue 19) and its pages and filters.
    users.append(("public", None, {}, ["/me/notice/"], "/me/notice/"))
    return users


def _crawl_all(live_server, browser, *, language, only=None, cap=PAGES_PER_USER):
    from django.contrib.auth.models import User

    data = list(User.objects.values_list("username", flat=True))  # login names are data, shown in headers
    found = {}
    for name, login_path, fields, start, scope in _users():
        if only and name not in only:
            continue
        context = browser.new_context(locale=language)
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page = context.new_page()
        if login_path:
            _sign_in(page, live_server.url, login_path, {**fields, "#id_password": DEMO_PASSWORD})
        started = time.monotonic()
        visits = crawl(
            page, live_server.url, start, scope=scope, cap=cap, chinese=language != "en", data=data
        )
        context.close()
        print(f"\n{name} ({language}): {len(visits)} pages in {time.monotonic() - started:.0f} s")
        for visit in visits:
            print(f"  {visit.status} {visit.url}")
        found[name] = visits
    return found


def _pending(visit) -> bool:
    return any(re.search(pattern, visit.url) for pattern in NOT_YET_CHINESE)


def _report(found) -> str:
    lines = []
    for name, visits in found.items():
        for visit in visits:
            problems = visit.problems
            if _pending(visit):
                print(f"not yet Chinese: {name} {visit.url}: {'; '.join(problems)}")
                problems = [p for p in problems if not p.startswith(("English or codes", "codes"))]
            lines += [f"{name} {visit.status} {visit.url}: {'; '.join(problems)}"] if problems else []
    return "\n".join(lines)


@pytest.mark.slow
def test_every_demo_user_crawls_their_pages_in_chinese(live_server, browser, xuzhou):
    started = time.monotonic()
    call_command("seed_demo", persons=40, stdout=io.StringIO())
    print(f"demo data seeded in {time.monotonic() - started:.0f} s")
    found = _crawl_all(live_server, browser, language="zh-hans")
    # every user got past the login to their own home page (a failed login would crawl the login page only)
    assert all(visits and visits[0].status == 200 for visits in found.values()), found
    assert all(
        not v.url.startswith(("/admin/login", "/portal/login", "/me/login"))
        for vs in found.values()
        for v in vs
    )
    # English mode: complete for the UI, so no code shows either (a smaller crawl: the pages are the same)
    english = _crawl_all(live_server, browser, language="en", only=["supervisor", "inst_residential"], cap=30)
    problems = _report(found) + "\n" + _report({f"{n} (en)": v for n, v in english.items()})
    assert not problems.strip(), problems
