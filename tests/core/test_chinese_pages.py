"""Pages of issue 16 that showed English or raw codes in Chinese mode, rendered with the test client (no browser):
policy records through their schema (labels, money, percentages), jobs' names and messages in the viewer's
language, import pages' columns as 中文列名（code）, and the eligibility explanation of the case page. The checks
are the crawler's (tests/crawler.py) on the page's visible text; English mode shows no raw code either."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_noop

from ltci.core.jobs import job_finish, job_start, job_text
from ltci.core.models import JobRun, PolicyRecord, PolicyScheme

from ..crawler import check_text, html_text
from .test_import_templates import PAGES as IMPORT_PAGES

pytestmark = pytest.mark.django_db


def _client(language: str) -> Client:
    user = User.objects.create_superuser("zh-checker", password="x")  # noqa: S106 (test fixture)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies["django_language"] = language
    client.force_login(user)
    return client


def _data(*extra) -> list[str]:
    """Data in the pages: login names, and the superuser's menu entries of django-axes' tables (Access
    attempts...), which no role sees (the crawler signs in with the roles)."""
    usernames = list(User.objects.values_list("username", flat=True))
    return [*usernames, "Access attempts", "Access failures", "Access logs", "Axes", *extra]


def _problems(client: Client, url: str, *, chinese: bool) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    return check_text(html_text(response.content.decode()), chinese=chinese, data=_data())


@pytest.fixture
def packs(xuzhou):
    """Two schemes with every kind of value: Xuzhou (active) and Jinjiang (devices with a charity share)."""
    call_command("load_policy", "jinjiang-2023", verbosity=0)
    return PolicyScheme.objects.all()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_policy_records_list_and_pages_show_labelled_values(packs, language):
    client = _client(language)
    chinese = language != "en"
    urls = ["/admin/core/policyrecord/", "/admin/core/policyrecord/?o=3"]
    urls += [
        f"/admin/core/policyrecord/{pk}/change/" for pk in PolicyRecord.objects.values_list("pk", flat=True)
    ]
    urls += [f"/admin/core/policyscheme/{pk}/change/" for pk in packs.values_list("pk", flat=True)]
    urls += [
        "/admin/core/policyrecord/add/",
        "/admin/core/policyrecord/add/?kind=payment_standard&key=device",
    ]
    found = {url: p for url in urls if (p := _problems(client, url, chinese=chinese))}
    assert not found, found


def test_a_policy_value_reads_as_the_office_reads_it(packs):
    client = _client("zh-hans")
    page = html_text(client.get("/admin/core/policyrecord/?kind=payment_standard").content.decode())
    assert "入住协议机构 · 重度失能 · 生活照料（residential:severe:life）" in page
    assert "基金支付比例：" in page and "%" in page
    assert "支付的机构类型：养老机构" in page
    assert "¥" in page
    assert "{'" not in page and "fund_ratio=" not in page  # no JSON, no field codes


def test_a_view_only_user_sees_the_value_not_empty_fields(packs):
    from django.contrib.auth.models import Permission

    viewer = User.objects.create_user("policy-viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_policyrecord"))
    client = Client()
    client.force_login(viewer)
    record = PolicyRecord.objects.filter(kind="fund_warning", scheme__code="xuzhou-2022").first()
    page = html_text(client.get(f"/admin/core/policyrecord/{record.pk}/change/").content.decode())
    assert "月支出环比增长预警线：20.00%" in page


def _jobs():
    settlement = job_start("settlement", "2024-05")
    job_finish(
        settlement,
        message=job_text(
            gettext_noop("共 %(lines)s 条结算明细，基金支付 %(fund)s；用时 %(seconds)s 秒：%(stages)s"),
            lines="1,200",
            fund="¥10,000.00",
            seconds="3.5",
            stages=[
                job_text(
                    gettext_noop("%(stage)s %(seconds)s 秒"), stage=job_text("读取服务记录"), seconds="1.0"
                )
            ],
        ),
    )
    contributions = job_start("contribution_run", "2024")
    job_finish(
        contributions,
        message=job_text(
            gettext_noop("已处理 %(persons)s 人，记入基金收入 %(lines)s 笔"), persons="3,000", lines="12"
        ),
    )
    running = job_start("settlement", "2024-06", message=gettext_noop("审核服务记录"))
    return [settlement, contributions, running]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_job_pages_name_jobs_and_tell_their_messages_in_the_viewers_language(xuzhou, language):
    jobs = _jobs()
    client = _client(language)
    chinese = language != "en"
    urls = [
        "/admin/core/jobrun/",
        "/admin/core/jobrun/?job=contribution_run",
        "/admin/enrollment/contribution/run/",
    ]
    urls += [f"/admin/core/jobrun/{run.pk}/change/" for run in jobs]
    found = {url: p for url in urls if (p := _problems(client, url, chinese=chinese))}
    assert not found, found
    progress = client.get(f"/admin/core/jobrun/{jobs[2].pk}/progress/").json()["message"]
    assert progress == ("审核服务记录" if chinese else "Auditing service records")
    page = html_text(client.get(f"/admin/core/jobrun/{jobs[1].pk}/change/").content.decode())
    assert ("已处理 3,000 人，记入基金收入 12 笔" if chinese else "3,000 persons processed") in page


def test_a_stored_job_message_is_translated_when_shown_not_when_stored(xuzhou):
    jobs = _jobs()
    done = JobRun.objects.get(pk=jobs[0].pk)
    assert done.message == "共 1,200 条结算明细，基金支付 ¥10,000.00；用时 3.5 秒：读取服务记录 1.0 秒"
    with translation.override("en"):
        assert done.message_shown == (
            "1,200 settlement lines, fund pays ¥10,000.00; 3.5 s: Loading service records 1.0 s"
        )
        assert str(done) == "Monthly settlement 2024-05 Done"
    with translation.override("zh-hans"):
        assert done.message_shown == done.message


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("url", IMPORT_PAGES)
def test_import_pages_show_each_column_by_its_chinese_name_and_code(xuzhou, url, language):
    assert _problems(_client(language), url, chinese=language != "en") == []


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_portal_upload_page_lists_its_columns_with_their_names(xuzhou, language):
    from tests.institutions.helpers import institution, portal_user

    user = portal_user(institution(code="ZH0001"), username="zh-portal")
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies["django_language"] = language
    client.force_login(user)
    response = client.get("/portal/settlement/")
    assert response.status_code == 200
    text = html_text(response.content.decode())
    assert check_text(text, chinese=language != "en", data=["zh-portal"]) == []
    assert "公民身份号码（national_id）" in text


def test_an_import_result_and_its_row_errors_are_chinese(xuzhou):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from enrollment.imports import ROSTER_FORMAT

    header = ",".join(ROSTER_FORMAT.columns)
    content = f"{header}\r\n110101194001010000,张三,居民,999999,2024-13-01,,有,,\r\n".encode()
    client = _client("zh-hans")
    url = "/admin/enrollment/person/import/roster/"
    page = client.post(url, {"file": SimpleUploadedFile("roster.csv", content)}).content.decode()
    text = html_text(page)
    assert "共 1 行，导入 0 行" in text
    assert check_text(text, chinese=True, data=_data()) == []


def test_the_case_page_explains_eligibility_in_chinese_with_codes_after_labels(xuzhou):
    from benefits.services import decision_create
    from tests.benefits.conftest import covered_classes_record, make_conclusion, make_institution, make_person

    covered_classes_record(xuzhou)
    person = make_person(name="王个案")
    make_conclusion(person, grade=4)
    decision_create(
        person=person,
        care_form="home_visits",
        institution=make_institution(code="ZH0001"),
        starts_on=dt.date(2024, 1, 1),
    )
    client = _client("zh-hans")
    for query in ("?on=2024-03-10", "?on=2023-12-31&care_form=residential"):
        response = client.get(reverse("office_person_case", args=[person.pk]) + query)
        text = html_text(response.content.decode())
        assert "待遇资格说明" in text
        # the test institution's name holds its code (机构ZH0001), which the crawler's pattern reads apart
        assert check_text(text, chinese=True, data=_data("ZH0001")) == [], query
