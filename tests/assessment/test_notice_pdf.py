"""The conclusion notice PDF: CJK font embedded, numbered, re-issued identically (SPEC 10)."""

import datetime as dt
import shutil
import subprocess

import pytest

from assessment.documents import conclusion_notice_pdf
from assessment.models import Conclusion
from tests.assessment.conftest import make_institution, make_person


@pytest.fixture
def final(xuzhou):
    person = make_person(serial=31, name="王秀英")
    return Conclusion.objects.create(
        person=person,
        grade=4,
        concluded_on=dt.date(2025, 10, 14),
        valid_until=dt.date(2027, 10, 13),
        review_deadline=dt.date(2025, 10, 21),
        state="final",
        agency=make_institution("PG77"),
        adl=30,
        cognition=10,
        perception=8,
    )


def test_two_renders_are_byte_identical_and_carry_the_number(final):
    first, second = conclusion_notice_pdf(final), conclusion_notice_pdf(final)
    assert first.startswith(b"%PDF") and first == second
    assert final.document_no == f"PG-2025-{final.pk:06d}"


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils (pdffonts) is not installed")
def test_chinese_text_is_set_in_an_embedded_cjk_font(final, tmp_path):
    path = tmp_path / "n.pdf"
    path.write_bytes(conclusion_notice_pdf(final))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout  # noqa: S603,S607
    assert "Noto-Sans-CJK-SC" in fonts and " yes yes yes " in fonts
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout  # noqa: S603,S607
    assert "长期护理失能等级评估结论通知书" in text.replace(" ", "")
    assert "重度失能" in text and final.document_no in text


def test_only_final_conclusions_have_a_notice(final):
    final.state = "notice"
    with pytest.raises(ValueError, match="only a final conclusion"):
        conclusion_notice_pdf(final)


def test_a_reissue_from_the_database_is_byte_identical_and_keeps_its_dates(final, tmp_path):
    import datetime as dt

    from django.utils import timezone

    Conclusion.objects.filter(pk=final.pk).update(
        finalized_at=dt.datetime(2025, 10, 14, 15, 30, 12, 999, tzinfo=timezone.get_default_timezone())
    )
    first = conclusion_notice_pdf(Conclusion.objects.get(pk=final.pk))
    later = Conclusion.objects.select_related("person", "agency").get(pk=final.pk)
    assert conclusion_notice_pdf(later) == first
    if shutil.which("pdfinfo"):  # PDF metadata from the finalisation time, never "now"
        path = tmp_path / "n.pdf"
        path.write_bytes(first)
        info = subprocess.run(
            ["pdfinfo", str(path)],
            capture_output=True,
            text=True,
            check=True,  # noqa: S603,S607
            env={"TZ": "UTC", "PATH": "/usr/bin:/bin"},
        ).stdout
        assert "Oct 14 07:30:12 2025" in info  # 15:30:12 in Asia/Shanghai
