"""Chinese by default, English available, admin included (SPEC 12 Language)."""

import pytest
from django.utils import translation

from enrollment.models import Contribution, Person


@pytest.fixture(autouse=True)
def _reset_language():
    yield
    translation.activate("zh-hans")


def test_model_names_are_chinese_by_default_and_english_on_request():
    with translation.override("zh-hans"):
        assert str(Person._meta.verbose_name) == "参保人"
    with translation.override("en"):
        assert str(Person._meta.verbose_name) == "Insured person"
        assert str(Contribution.Status.ARREARS.label) == "Arrears"


def test_admin_person_list_in_chinese_by_default_and_in_english_when_chosen(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/admin/enrollment/person/", HTTP_ACCEPT_LANGUAGE="en")  # the browser's wish is ignored
    assert "参保人" in page.text and "险种" in page.text
    client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    page = client.get("/admin/enrollment/person/")
    assert 'lang="en"' in page.text and "Insured person" in page.text and "险种" not in page.text


def test_admin_upload_and_run_pages_in_english(client, admin_user):
    client.force_login(admin_user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    page = client.get("/admin/enrollment/person/import/roster/")
    assert (
        "Chinese column name (column code)" in page.text
        and "Download the template (Chinese header)" in page.text
        and "列代码" not in page.text
    )
    page = client.get("/admin/enrollment/contribution/run/")
    assert "Contribution year" in page.text and "缴费年度" not in page.text
