"""The admin upload pages of the SPEC 11 imports (ltci.core.admin_views.import_view): staff without the
right role and anonymous users are refused, and nothing is imported."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ltci.core.models import ImportBatch

IMPORT_PAGES = [
    "/admin/institutions/institution/import/",
    "/admin/institutions/caregiver/import/",
    "/admin/assessment/conclusion/import/",
    "/admin/benefits/benefitdecision/import/",
    "/admin/benefits/hospitalstay/import/",
    "/admin/benefits/otherfundbenefit/import/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", IMPORT_PAGES)
def test_staff_without_the_role_cannot_open_or_post_an_import(client, django_user_model, url):
    client.force_login(django_user_model.objects.create_user("plain-staff", password="x", is_staff=True))  # noqa: S106
    assert client.get(url).status_code == 403
    upload = SimpleUploadedFile("f.csv", b"national_id\n", content_type="text/csv")
    assert client.post(url, {"file": upload}).status_code == 403
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("url", IMPORT_PAGES)
def test_anonymous_is_sent_to_the_admin_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
@pytest.mark.parametrize("url", IMPORT_PAGES)
def test_a_superuser_sees_the_upload_form_with_the_columns(admin_client, url):
    page = admin_client.get(url).content.decode()
    assert 'type="file" name="file"' in page
    assert "（national_id）" in page or "（credit_code）" in page  # each column: 中文列名（code）
