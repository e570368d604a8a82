"""Pages the capped crawl of make test does not reach, found by a full crawl (LTCI_CRAWL_PAGES=1000, issue 16):
one version of a record (simple_history's history form view) and a notification; each answers 200 and reads
Chinese (no English word, no raw code)."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from tests.crawler import check_text, html_text

pytestmark = pytest.mark.django_db


def test_a_records_version_and_a_notification_read_chinese(client, xuzhou):
    from institutions.models import Institution
    from ltci.core.models import Notification, PolicyRecord

    call_command("seed_demo", persons=20, stdout=io.StringIO())
    client.force_login(User.objects.get(username="supervisor"))
    policy, institution = PolicyRecord.objects.first(), Institution.objects.first()
    urls = [
        f"/admin/core/notification/{Notification.objects.first().pk}/change/",
        f"/admin/core/policyrecord/{policy.pk}/history/{policy.history.first().history_id}/",
        f"/admin/institutions/institution/{institution.pk}/history/{institution.history.first().history_id}/",
    ]
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200, url
        assert check_text(html_text(response.content.decode()), chinese=True, data=["supervisor"]) == [], url
