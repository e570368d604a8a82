import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from ltci.core.models import ImportBatch
from ltci.core.roles import BENEFIT_AUDITOR, ENROLLMENT_CLERK

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


@pytest.mark.parametrize("kind", ["family_relations", "wage_bases", "employer_payments"])
def test_issue18_upload_pages_for_the_clerk_only(client, clerk, stranger, xuzhou, kind):
    """Issue 18: the relations register (seed 000 三(三)), wage bases and employer payments (seed 004 五) are
    uploaded on the same import page as the other enrollment imports; wrong users are refused."""
    url = f"/admin/enrollment/person/import/{kind}/"
    assert client.get(url).status_code == 302  # anonymous -> login
    client.force_login(stranger)  # staff without a role
    assert client.get(url).status_code == 403
    auditor = User.objects.create_user("auditor1", password="x", is_staff=True)  # noqa: S106
    auditor.groups.add(Group.objects.get_or_create(name=BENEFIT_AUDITOR)[0])
    client.force_login(auditor)  # another role
    assert client.get(url).status_code == 403
    client.force_login(clerk)
    assert client.get(url).status_code == 200


def test_clerk_uploads_the_relations_register(client, clerk, roster):
    """Seed 000 三(三): "职工医保个人账户可为其父母、配偶、子女缴纳长护险费用": the register is loaded by upload too."""
    from enrollment.models import FamilyRelation

    roster(
        f"{nid(1)},张三,employee,320302,2022-01-01,,true,,",
        f"{nid(3)},张父,resident,320302,2022-01-01,,false,,",
    )
    client.force_login(clerk)
    body = f"payer_national_id,national_id,relation\n{nid(1)},{nid(3)},parent\n{nid(1)},{nid(5)},child\n".encode()
    page = client.post(
        "/admin/enrollment/person/import/family_relations/",
        {"file": SimpleUploadedFile("relations.csv", body, content_type="text/csv")},
    )
    assert page.status_code == 200 and "导入 1 行" in page.text
    assert FamilyRelation.objects.get().relation == "parent"
    batch = ImportBatch.objects.get(kind="family_relations")
    errors = client.get(f"/admin/enrollment/person/import-errors/{batch.pk}/")
    assert nid(5) in errors.content.decode()
