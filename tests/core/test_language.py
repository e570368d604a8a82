"""Chinese is the default even for browsers that ask for English; English is the user's explicit choice."""

import pytest


@pytest.mark.django_db
def test_admin_login_is_chinese_for_a_browser_asking_for_english(client):
    html = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "长期护理保险经办系统" in html
    assert 'lang="zh-hans"' in html


@pytest.mark.django_db
def test_choosing_english_switches_the_admin(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/admin/login/"})
    assert response.status_code == 302
    html = client.get("/admin/login/").content.decode()
    assert '<html lang="en"' in html


def test_date_inputs_render_iso_dates_in_chinese():
    import datetime as dt

    from django import forms
    from django.utils import translation

    class F(forms.Form):
        on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    with translation.override("zh-hans"):
        html = str(F(initial={"on": dt.date(2026, 12, 1)})["on"])
        assert 'value="2026-12-01"' in html
        assert F(data={"on": "2026/12/01"}).is_valid()
