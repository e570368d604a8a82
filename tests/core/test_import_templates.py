"""Issue 14: every import offers a template file (Chinese or English header plus an example row) on its upload
page, to the users who may upload; the template is read back by the import; the page shows the columns with
their Chinese names and, after the import, the same summary as the command."""

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation

from assessment.imports import CONCLUSION_FORMAT
from benefits.imports import decisions, hospital, other_funds
from enrollment.imports import ACCOUNT_EVENT_FORMAT, PAYMENT_FORMAT, ROSTER_FORMAT
from institutions.imports import CAREGIVER_FORMAT, INSTITUTION_FORMAT
from ltci.core.import_templates import EXAMPLE_PERSON
from ltci.core.models import ImportBatch
from ltci.core.roles import ENROLLMENT_CLERK

PAGES = {
    "/admin/enrollment/person/import/roster/": ROSTER_FORMAT,
    "/admin/enrollment/person/import/account_events/": ACCOUNT_EVENT_FORMAT,
    "/admin/enrollment/person/import/payments/": PAYMENT_FORMAT,
    "/admin/institutions/institution/import/": INSTITUTION_FORMAT,
    "/admin/institutions/caregiver/import/": CAREGIVER_FORMAT,
    "/admin/assessment/conclusion/import/": CONCLUSION_FORMAT,
    "/admin/benefits/benefitdecision/import/": decisions.FORMAT,
    "/admin/benefits/hospitalstay/import/": hospital.FORMAT,
    "/admin/benefits/otherfundbenefit/import/": other_funds.FORMAT,
}


def rows_of(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, for spreadsheet programs
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_the_template_has_the_import_columns_and_an_example_row(admin_client, url):
    fmt = PAGES[url]
    chinese = admin_client.get(url + "?template=zh")
    assert chinese.status_code == 200 and chinese["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="{fmt.name}-template-zh.csv"' in chinese["Content-Disposition"]
    header, example = rows_of(chinese)
    assert header == [fmt.labels[c] for c in fmt.columns]
    assert example == [fmt.example.get(c, "") for c in fmt.columns] and any(example)
    header, _example = rows_of(admin_client.get(url + "?template=en"))
    assert header == fmt.columns


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_the_template_header_uploaded_back_is_accepted_with_no_rows(admin_client, url):
    for variant in ("zh", "en"):
        header = rows_of(admin_client.get(f"{url}?template={variant}"))[0]
        content = ("\ufeff" + ",".join(header) + "\r\n").encode("utf-8")
        response = admin_client.post(url, {"file": SimpleUploadedFile("template.csv", content)})
        assert response.status_code == 200
        batch = ImportBatch.objects.latest("pk")
        assert (batch.file_error, batch.rows_total, batch.rows_rejected) == ("", 0, 0)
        assert "共 0 行，导入 0 行，无变化 0 行，拒绝 0 行" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_the_template_is_refused_to_staff_without_the_role_and_to_anonymous(client, django_user_model, url):
    assert client.get(url + "?template=zh").status_code == 302  # to the admin login
    client.force_login(django_user_model.objects.create_user("plain", password="x", is_staff=True))  # noqa: S106
    assert client.get(url + "?template=zh").status_code == 403


@pytest.mark.django_db
def test_an_enrollment_clerk_gets_the_roster_template_but_not_the_institutions_one(client, django_user_model):
    clerk = django_user_model.objects.create_user("clerk", password="x", is_staff=True)  # noqa: S106
    clerk.groups.add(Group.objects.get_or_create(name=ENROLLMENT_CLERK)[0])
    client.force_login(clerk)
    assert client.get("/admin/enrollment/person/import/roster/?template=zh").status_code == 200
    assert client.get("/admin/institutions/institution/import/?template=zh").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_the_upload_page_shows_the_chinese_names_and_codes_and_the_template_links(admin_client, url):
    page = admin_client.get(url).content.decode()
    fmt = PAGES[url]
    for code in fmt.columns:
        assert f"<td>{fmt.labels[code]}（{code}）</td>" in page
    assert 'href="?template=zh"' in page and 'href="?template=en"' in page
    assert "下载模板（中文表头）" in page


@pytest.mark.django_db
def test_the_upload_page_shows_the_summary_every_problem_and_the_error_report(admin_client, xuzhou):
    header = ",".join(CONCLUSION_FORMAT.header("zh"))
    content = f"{header}\r\n{EXAMPLE_PERSON},9,2024/01/01,,\r\n".encode()
    url = "/admin/assessment/conclusion/import/"
    page = admin_client.post(url, {"file": SimpleUploadedFile("c.csv", content)}).content.decode()
    assert "c.csv：共 1 行，导入 0 行，无变化 0 行，拒绝 1 行" in page
    assert "「失能等级（grade）」：9 不是 0-5 的失能等级" in page
    assert "「评估结论日期（concluded_on）」：2024/01/01 不是 YYYY-MM-DD 格式的日期" in page
    # the example person is not on the roster: reported although the row fails parsing (issue 14)
    assert f"「公民身份号码（national_id）」：没有公民身份号码为 {EXAMPLE_PERSON} 的参保人" in page
    batch = ImportBatch.objects.latest("pk")
    report = admin_client.get(f"{url}?errors={batch.pk}")
    assert f'href="?errors={batch.pk}"' in page
    lines = rows_of(report)
    assert lines[0] == ["row", "field", "reason"] and {line[1] for line in lines[1:]} == {
        "grade",
        "concluded_on",
        "national_id",
    }


@pytest.mark.django_db
def test_the_upload_page_speaks_english_to_an_english_user(admin_client, xuzhou):
    admin_client.cookies["django_language"] = "en"
    header = ",".join(CONCLUSION_FORMAT.header("en"))
    content = f"{header}\r\n{EXAMPLE_PERSON},9,2024/01/01,,\r\n".encode()
    url = "/admin/assessment/conclusion/import/"
    page = admin_client.post(url, {"file": SimpleUploadedFile("c.csv", content)}).content.decode()
    assert "c.csv: 1 rows, 0 applied, 0 unchanged, 1 rejected" in page
    assert "field grade: &#x27;9&#x27; is not a grade 0-5 (失能等级)" in page
    assert "Download the template (Chinese header)" in page


def test_the_command_summary_and_reasons_follow_the_language(xuzhou, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(ROSTER_FORMAT.template_csv("en").replace(b"employee", b"worker"))
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        call_command("import_roster", str(path), stdout=out, stderr=err)
    assert "roster.csv: 1 rows, 0 applied, 0 unchanged, 1 rejected" in out.getvalue()
    assert (
        "row 2, field insurance_type: is not an allowed value (given: worker; allowed: Employee medical "
        "insurance (employee), Resident medical insurance (resident), Retired cadres, grade 1-6 disabled veterans "
        "(outside basic medical insurance) (special)) (险种)"
    ) in err.getvalue()


@pytest.mark.django_db
def test_the_examples_of_the_templates_import_cleanly_one_after_the_other(xuzhou, tmp_path):
    """The roster example first, then the ones that refer to its person; institution XZ0003 is demo data."""
    from institutions.models import Institution

    Institution.objects.create(
        code="XZ0003", name="徐州市贾汪居家护理服务有限公司", type="home_care", region_code="320305"
    )
    for fmt in (ROSTER_FORMAT, ACCOUNT_EVENT_FORMAT, PAYMENT_FORMAT, INSTITUTION_FORMAT, CAREGIVER_FORMAT):
        path = tmp_path / f"{fmt.name}.csv"
        path.write_bytes(fmt.template_csv("zh"))
        out = io.StringIO()
        call_command(fmt.name, str(path), stdout=out)
        assert "共 1 行，导入 1 行，无变化 0 行，拒绝 0 行" in out.getvalue(), (fmt.name, out.getvalue())
    for fmt in (CONCLUSION_FORMAT, hospital.FORMAT, other_funds.FORMAT):
        path = tmp_path / f"{fmt.name}.csv"
        path.write_bytes(fmt.template_csv("en"))
        out = io.StringIO()
        call_command(fmt.name, str(path), stdout=out)
        assert "共 1 行，导入 1 行，无变化 0 行，拒绝 0 行" in out.getvalue(), (fmt.name, out.getvalue())


@pytest.mark.django_db
def test_the_portal_offers_the_service_record_template_with_its_own_institution(client, django_user_model):
    from institutions.models import Institution, InstitutionUser
    from settlement.imports import FORMAT

    institution = Institution.objects.create(
        code="JG0042", name="示例机构", type="home_care", region_code="320302"
    )
    user = django_user_model.objects.create_user("portal-clerk", password="x")  # noqa: S106
    InstitutionUser.objects.create(user=user, institution=institution, role="clerk")
    assert client.get("/portal/settlement/upload/template.csv?template=zh").status_code in (302, 403)
    client.force_login(user)
    assert "下载模板（中文表头）" in client.get("/portal/settlement/").content.decode()
    header, example = rows_of(client.get("/portal/settlement/upload/template.csv?template=zh"))
    assert header == [FORMAT.labels[c] for c in FORMAT.columns]
    assert example[0] == "JG0042"
    assert rows_of(client.get("/portal/settlement/upload/template.csv?template=en"))[0] == FORMAT.columns
