"""The PDF documents' layout (issue 16): the issuing office on every page, list rows never split across pages,
name columns wide enough that a name is not set one character per line, the office's seal on every document.

Each document template is rendered with a context of plain values (what its service passes), and the text of
every page is read back with pdftotext (poppler-utils).
"""

import datetime as dt
import shutil
import subprocess
from decimal import Decimal
from types import SimpleNamespace

import pytest

from ltci.core.pdf import DOCUMENTS_DIR, office, render_pdf

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")

LONG_NAME = "司马欧阳慕容雪"  # seven characters: a compound surname and given name
REASON = "当日住院期间不予支付护理费用，超出协议价格部分由机构承担，重复申报不予支付"


def pages(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout  # noqa: S603,S607
    return text.split("\f")[:-1]  # pdftotext ends every page with a form feed


def flat(text: str) -> str:
    return "".join(text.split())


def head(title, document_no, issued_at=dt.datetime(2024, 6, 3, 9, 0, tzinfo=dt.UTC)):
    return {"title": title, "document_no": document_no, "issued_at": issued_at}


def line(i):
    return SimpleNamespace(
        quantity=31,
        charged_amount=Decimal(f"{1000 + i}.10"),
        fund_amount=Decimal(f"{700 + i}.07"),
        personal_amount=Decimal("300.03"),
        rejected_amount=Decimal("0.00"),
        is_late=False,
        is_adjustment=i % 7 == 0,
        get_care_form_display="机构护理",
    )


def statement_context(n):
    return {
        **head("长期护理保险结算单", "JS-202405-YL001-v1", dt.datetime(2024, 6, 3, 9, 0, tzinfo=dt.UTC)),
        "statement": SimpleNamespace(
            charged_total=Decimal("123456.78"),
            fund_payable=Decimal("86419.75"),
            deposit_withheld=Decimal("0.00"),
            recovered=Decimal("0.00"),
            adjustments=Decimal("0.00"),
            carried=Decimal("0.00"),
            net_payable=Decimal("86419.75"),
        ),
        "institution": SimpleNamespace(name="徐州市云龙区颐养护理院", code="YL001"),
        "run": SimpleNamespace(month=dt.date(2024, 5, 1), version=1, get_state_display="已批准"),
        "lines": [
            {
                "line": line(i),
                "masked_id": f"320302********{i:04d}",
                "name": LONG_NAME if i == 0 else f"患者{i:03d}",
                "reasons": f"R{i:03d} {REASON * 3} E{i:03d}",  # wraps over several lines
            }
            for i in range(n)
        ],
    }


def payment_list_context(n):
    return {
        **head("长期护理保险基金支付清单", "ZF-202405-v1", dt.datetime(2024, 6, 3, 9, 0, tzinfo=dt.UTC)),
        "run": SimpleNamespace(
            month=dt.date(2024, 5, 1),
            version=1,
            get_state_display="已批准",
            approved_at=dt.datetime(2024, 6, 3, 9, 0, tzinfo=dt.UTC),
        ),
        "institutions": [
            [
                "institution",
                f"YL{i:03d}",
                "徐州市某某护理服务有限公司",
                "中国工商银行徐州分行",
                "6222020000000000",
                "1.00",
                "S1",
            ]
            for i in range(5)
        ],
        "persons": [
            [
                "person",
                f"320302********{i:04d}",
                LONG_NAME if i == 0 else f"亲属{i:03d}",
                "",
                "",
                f"{i}.50",
                f"P{i:05d}",
            ]
            for i in range(200)
        ],
        "institution_total": Decimal("5.00"),
        "person_total": Decimal("100.00"),
    }


def person():
    return SimpleNamespace(
        name=LONG_NAME,
        get_insurance_type_display="城乡居民",
        region_code="320302",
        region_label="鼓楼区（320302）",
    )


DOCUMENTS = {
    "conclusion_notice.html": lambda: {
        **head(
            "长期护理失能等级评估结论通知书", "PG-2025-000001", dt.datetime(2025, 10, 14, 9, 0, tzinfo=dt.UTC)
        ),
        "person": person(),
        "masked_id": "320302********0011",
        "conclusion": SimpleNamespace(
            concluded_on=dt.date(2025, 10, 14),
            valid_until=dt.date(2027, 10, 13),
            review_deadline=dt.date(2025, 10, 21),
            scale_version="2021",
            adl=None,
        ),
        "grade_name": "4级 重度失能",
        "reminder_days": 60,
        "scale_title": "长期护理失能等级评估标准",
    },
    "contribution_certificate.html": lambda: {
        **head("长期护理保险参保缴费证明", "JF-2025-00000001", dt.datetime(2025, 1, 5, 9, 0, tzinfo=dt.UTC)),
        "person": person(),
        "masked_id": "320302********0011",
        "contribution": SimpleNamespace(
            year=2025,
            total_amount=Decimal("100.00"),
            individual_paid=Decimal("30.00"),
            subsidised=False,
            fully_paid_on=dt.date(2025, 1, 5),
            get_status_display="已缴足",
        ),
        "sources": [("个人缴费", Decimal("30.00"))],
        "coverage": [],
    },
    "decision_letter.html": lambda: {
        **head("长期护理保险待遇核定通知书", "DY-2025-000001", dt.datetime(2025, 1, 5, 9, 0, tzinfo=dt.UTC)),
        "person": person(),
        "masked_id": "320302********0011",
        "decision": SimpleNamespace(starts_on=dt.date(2025, 1, 5), ends_on=None, care_form="residential"),
        "care_form": "机构护理",
    },
    "fund_disclosure.html": lambda: {
        "title": "长期护理保险基金收支情况公布",
        "document_no": "JJGB-2024",
        "year": 2024,
        "months": [
            {
                "month": dt.date(2024, m, 1),
                "income": Decimal("1.00"),
                "expenditure": Decimal("0"),
                "balance": Decimal("1"),
            }
            for m in range(1, 13)
        ],
        "income": Decimal("12.00"),
        "expenditure": Decimal("0"),
        "balance": Decimal("12.00"),
        "issued_at": None,
    },
    "notification_letters.html": lambda: {
        "title": "通知信函",
        "document_no": "XH20261204070000-1",
        "issued_at": dt.datetime(2026, 12, 4, 7, 0, tzinfo=dt.UTC),
        "letters": [
            SimpleNamespace(
                pk=n,
                address="江苏省徐州市鼓楼区测试路1号",
                recipient_name="张三",
                subject="长期护理保险待遇核定通知",
                body="您的长期护理保险待遇已核定，请登录查看。",
                created_at=dt.datetime(2026, 12, 4, 7, 0, tzinfo=dt.UTC),
            )
            for n in range(1, 4)
        ],
    },
    "payment_list.html": lambda: payment_list_context(200),
    "settlement_statement.html": lambda: statement_context(120),
}


def test_every_document_template_is_covered():
    templates = {p.name for p in DOCUMENTS_DIR.glob("*.html")} - {"base.html", "signature.html"}
    assert templates == set(DOCUMENTS)


@pytest.mark.parametrize("template", sorted(DOCUMENTS))
def test_the_office_heads_every_page_and_its_seal_is_on_the_document(template, tmp_path, settings):
    settings.LTCI_OFFICE = {**settings.LTCI_OFFICE, "address": "江苏省徐州市测试路1号"}
    pdf = render_pdf(f"documents/{template}", DOCUMENTS[template]())
    texts = pages(pdf, tmp_path)
    if template in ("payment_list.html", "settlement_statement.html"):
        assert len(texts) > 2, "the long list should run over several pages"
    for number, text in enumerate(texts, start=1):
        assert "徐州市长期护理保险经办机构" in flat(text), (template, number)
        assert "江苏省徐州市测试路1号" in flat(text), (template, number)
    assert "徐州市医疗保障局" in flat(texts[0])
    assert "示例印章" in flat(texts[-1]), "the placeholder seal stands by the signature"


def test_the_office_comes_from_settings(settings, tmp_path):
    settings.LTCI_OFFICE = {
        **settings.LTCI_OFFICE,
        "name": "某某市长护险中心",
        "authority": "某某市医保局",
        "address": "某某路1号",
    }
    texts = pages(render_pdf("documents/decision_letter.html", DOCUMENTS["decision_letter.html"]()), tmp_path)
    assert "某某市长护险中心" in flat(texts[0]) and "某某市医保局" in flat(texts[0])
    assert "徐州" not in "".join(texts)
    assert office()["seal_url"].startswith("file://") and office()["seal_url"].endswith(".svg")


def test_a_missing_seal_file_leaves_the_seal_out(settings, tmp_path):
    settings.LTCI_OFFICE = {**settings.LTCI_OFFICE, "seal": str(tmp_path / "none.svg")}
    texts = pages(render_pdf("documents/decision_letter.html", DOCUMENTS["decision_letter.html"]()), tmp_path)
    assert "示例印章" not in "".join(texts) and "徐州市长期护理保险经办机构" in flat(texts[-1])


@pytest.mark.parametrize(
    ("template", "rows"),
    [
        (
            "settlement_statement.html",
            lambda c: [(r["masked_id"], f"R{i:03d}", f"E{i:03d}") for i, r in enumerate(c["lines"])],
        ),
        ("payment_list.html", lambda c: [(r[1], r[2], r[6]) for r in c["persons"]]),
    ],
)
def test_a_row_is_never_split_across_pages(template, rows, tmp_path):
    """Every row's first and last cells (and a reason that wraps over several lines) are on one page, and the
    header row is repeated on every page of the list."""
    context = DOCUMENTS[template]()
    texts = [flat(t) for t in pages(render_pdf(f"documents/{template}", context), tmp_path)]
    for cells in rows(context):
        where = {n for n, text in enumerate(texts) for cell in cells if cell in text}
        assert len(where) == 1, (cells, where)
    header = "身份号码"
    assert all(header in text for text in texts[1:-1]), "the header row repeats on every page of the list"


@pytest.mark.parametrize("template", ["settlement_statement.html", "payment_list.html"])
def test_a_long_name_is_set_on_one_line(template, tmp_path):
    text = "\n".join(pages(render_pdf(f"documents/{template}", DOCUMENTS[template]()), tmp_path))
    assert any(LONG_NAME in line for line in text.splitlines()), text[:2000]
