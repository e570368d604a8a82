import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from ltci.core.models import ImportBatch
from ltci.core.roles import ENROLLMENT_CLERK

from .conftest import ROSTER_HEADER, nid


@pytest.fixture(autouse=True)
def _english_reasons():
    """These tests read the English reasons and summaries (issue 14: Chinese by default, English when chosen)."""
    with translation.override("en"):
        yield


@pytest.fixture
def clerk(db):
    from django.contrib.auth.models import Permission

    user = User.objects.create_user("clerk1", password="x", is_staff=True)  # noqa: S106
    group = Group.objects.get_or_create(name=ENROLLMENT_CLERK)[0]
    if not group.permissions.exists():  # a transaction=True test flushed the migration's grants
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="enrollment", codename__startswith="view_")
        )
    user.groups.add(group)
    return user


@pytest.fixture
def stranger(db):
    return User.objects.create_user("nobody", password="x", is_staff=True)  # noqa: S106


def test_person_search_by_id_prefix_and_name(client, admin_user, roster):
    roster(
        f"{nid(1)},张三,employee,320302,2022-01-01,,true,,",
        f"{nid(3)},李四,employee,320302,2022-01-01,,true,,",
    )
    client.force_login(admin_user)
    page = client.get("/admin/enrollment/person/", {"q": nid(1)[:12]})
    assert page.status_code == 200 and "张三" in page.text
    page = client.get("/admin/enrollment/person/", {"q": "李"})
    assert "李四" in page.text and "张三" not in page.text
    page = client.get("/admin/enrollment/person/", {"category": "medical_aid", "region": "320302"})
    assert page.status_code == 200


def test_clerk_uploads_roster_and_downloads_errors(client, clerk, xuzhou):
    client.force_login(clerk)
    body = (
        ROSTER_HEADER
        + f"{nid(1)},张三,employee,320302,2022-01-01,,true,,\n"
        + f"{nid(3)},李四,employee,999999,2022-01-01,,true,,\n"
    ).encode()
    page = client.post(
        "/admin/enrollment/person/import/roster/",
        {"file": SimpleUploadedFile("roster.csv", body, content_type="text/csv")},
    )
    assert page.status_code == 200 and "导入 1 行" in page.text
    batch = ImportBatch.objects.get()
    errors = client.get(f"/admin/enrollment/person/import-errors/{batch.pk}/")
    assert "未知的行政区划代码 999999" in errors.content.decode()


def test_wrong_users_cannot_import_or_run(client, stranger, xuzhou):
    assert client.get("/admin/enrollment/person/import/roster/").status_code == 302  # anonymous -> login
    client.force_login(stranger)
    assert client.get("/admin/enrollment/person/import/roster/").status_code == 403
    assert client.get("/admin/enrollment/contribution/run/").status_code == 403
    assert client.get("/admin/enrollment/person/import-errors/1/").status_code == 403


def test_run_form_is_shown_to_the_clerk(client, clerk):
    client.force_login(clerk)
    page = client.get("/admin/enrollment/contribution/run/")
    assert page.status_code == 200 and "year" in page.text
    assert client.get("/admin/enrollment/contribution/").status_code == 200
