"""A breadth-first crawl of what one signed-in user can reach by clicking (issue 16), and the checks every page
must pass: it answers 200 or the designed refusal (the styled 403 page), shows no traceback, and in Chinese
mode shows no English word outside ALLOWED_WORDS and no raw code (``snake_case`` identifiers such as
``home_family`` or ``resident_age_70``).

Used by tests/core/test_crawl_browser.py with playwright's sync API; `crawl` takes a signed-in page.
"""

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit

from playwright.sync_api import Error as PlaywrightError

# Words that may stand in Chinese pages, each with its reason. Everything else in Latin letters is either
# untranslated UI text or a raw code, which the office must never read.
ALLOWED_WORDS = {
    "LTCI": "the product's abbreviation (long-term care insurance), as printed on the city's documents",
    "API": "the name of the institutions' interface; offices say API",
    "ID": "as in 'API ID' and token ids, the term the institutions' IT staff use",
    "PDF": "a file format's name",
    "CSV": "a file format's name",
    "XLSX": "a file format's name",
    "Excel": "the program institutions use for the import templates",
    "EXCEL": "the same, on the admin's export buttons (导出Excel), which the admin's style writes in capitals",
    "UTF": "as in the file encoding UTF-8, named in import instructions",
    "English": "the language switch offers English in English, as every language switch does",
    "Control": "a keyboard key, in Django's Chinese help for choosing several items (按住 Control 键…)",
    "Command": "a keyboard key, in the same help (Mac 上的 Command 键)",
    "Mac": "the computer's name, in the same help",
    "JPG": "a file format's name (photos of assessment documents)",
    "PNG": "a file format's name (photos of assessment documents)",
    "MB": "unit (file size limit of uploads)",
    "kg": "unit (weight in assessment items)",
    "cm": "unit (height in assessment items)",
    "km": "unit (distance)",
    "ADL": "Barthel ADL, the name of the assessment scale in the national standard",
    "Barthel": "Barthel ADL, the name of the assessment scale in the national standard",
    "MMSE": "the name of the cognition scale in the national standard",
    "Django": "the admin's documentation link names the framework (admin docs)",
    "Swagger": "the API documentation viewer's name",
    "OpenAPI": "the API documentation format's name",
    "JSON": "a data format's name (API documentation)",
    "Bearer": "the HTTP authorisation scheme of API tokens",
    "HTTP": "the protocol's name (API documentation)",
    "URL": "web address, the term the institutions' IT staff use",
}
# Data, not UI text: login names, e-mail addresses, numbers the office gives, and a code shown after its label
# (鼓楼区（320302）, 超限额（OVER_LIMIT）: the office convention "label（code）").
DATA_PATTERNS = [
    re.compile(r"\bJS-\d{6}-[A-Z0-9]+-v\d+\b"),  # statement numbers such as JS-202605-XZ0001-v1
    re.compile(r"\b[0-9a-f]{64}\b"),  # a file's SHA-256 digest (import batches)
    re.compile(r"[\w.-]+\.(csv|xlsx|xls|pdf)\b", re.IGNORECASE),  # file names of imports and downloads
    re.compile(
        r"(?<=[^\x00-\x7f])（[\w.:*-]+）"
    ),  # a code in full-width brackets right after its Chinese label (policy keys: 鼓楼区（320302）,
    # 入住协议机构 · 重度失能 · 生活照料（residential:severe:life）, 全部（*）)
    re.compile(r"(?<=[A-Za-z)]) \([a-z0-9_.:*-]+\)"),  # the same in English: National ID (national_id)
    re.compile(
        r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"
    ),  # UUIDs (job and token ids)
    re.compile(r"\b[A-Z]{2,4}-\d{4}-\d+\b"),  # application and fee numbers such as SQ-2026-000123
    re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),  # e-mail addresses
    re.compile(r"\b\d{6}(19|20)\d{2}\d{4}\d{3}[\dX]\b"),  # national ID numbers end with X sometimes
    re.compile(r"\b[A-Z]{2}\d{3,}\b"),  # institution and caregiver codes such as XZ0001
    re.compile(r"https?://\S+"),
    re.compile(r"\b(UTF-8|GBK|GB18030)\b"),  # the file encodings import pages accept, by their names
    re.compile(r"\bYYYY(-MM(-DD)?)?\b"),  # date formats as staff type them (年-月-日 is written so in China)
    # a row's source key (来源标识: run:2026:transfer:77, payment:<digest>, portal:3:<hex>): the idempotency key
    # staff search by, not a word; a key of codes alone (residential:severe:life, a policy key) is not data
    re.compile(r"\b[a-z][a-z_]*:[\w:.-]*\d[\w:.-]*"),
]
ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
CODE_TOKEN = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")

# Links a crawl never follows: they end the session, change data, download files or leave the site's pages.
SKIP = re.compile(
    r"logout|/delete/|export|download|\.pdf|\.xlsx|\.csv|/i18n/|jsi18n|/admin/r/|/api/(?!docs)|"
    r"/password_change|/password/|/statement|/document|/print|/file/|/template|[?&]template=|[?&]format=|errors-"
)
# Pages of which one is enough: an empty form, a history, an application's index (the menu lists its tables).
ONCE = re.compile(r"/add/$|/history/|^/admin/\w+/$")
OBJECT_ID = re.compile(r"/\d+/|/[0-9a-f-]{32,36}/")


@dataclass
class Visit:
    url: str
    status: int
    problems: list[str] = field(default_factory=list)


def _pattern(url: str) -> str:
    """Pages of one kind: a changelist with any filter, an object page whatever its id."""
    parts = urlsplit(url)
    return OBJECT_ID.sub("/<id>/", parts.path)


def _without_data(text: str, data=()) -> str:
    for value in sorted(data, key=len, reverse=True):  # case-insensitively: the header shows it in capitals
        text = re.sub(re.escape(value), " ", text, flags=re.IGNORECASE)
    for pattern in DATA_PATTERNS:
        text = pattern.sub(" ", text)
    return text


def foreign_words(text: str, allowed=(), data=()) -> list[str]:
    """English words and raw code tokens in a Chinese page's text (minus data such as login names)."""
    text = _without_data(text, data)
    found = set(CODE_TOKEN.findall(text))
    for word in ENGLISH_WORD.findall(text):
        if word not in ALLOWED_WORDS and word not in allowed:
            found.add(word)
    return sorted(found)


def code_tokens(text: str, data=()) -> list[str]:
    return sorted(set(CODE_TOKEN.findall(_without_data(text, data))))


class _VisibleText(HTMLParser):
    """The text a reader sees in a page's body (as the browser's innerText, roughly): no scripts, styles,
    hidden elements, attributes or form values."""

    SKIPPED = {"script", "style", "template", "noscript", "head", "title"}
    VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._stack: list[bool] = []  # per open element: is its text hidden

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        attributes = dict(attrs)
        hidden = (
            tag in self.SKIPPED
            or "hidden" in attributes
            or "display:none" in (attributes.get("style") or "").replace(" ", "")
        )
        self._stack.append(hidden or (bool(self._stack) and self._stack[-1]))

    def handle_endtag(self, tag):
        if tag not in self.VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data):
        if not (self._stack and self._stack[-1]):
            self.parts.append(data)


def html_text(html: str) -> str:
    """A page's visible text from its HTML (for tests with Django's test client, without a browser)."""
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def check_text(text: str, *, chinese: bool, data=()) -> list[str]:
    """The language checks of a page's visible text: English words and codes in Chinese, codes in English."""
    if chinese:
        words = foreign_words(text, data=data)
        return ["English or codes: " + ", ".join(words[:25])] if words else []
    tokens = code_tokens(text, data)
    return ["codes: " + ", ".join(tokens[:25])] if tokens else []


def check_page(page, response, *, chinese: bool, data=()) -> list[str]:
    problems = []
    status = response.status if response else 0
    text = page.inner_text("body")
    if status == 403:
        if not page.query_selector("[data-status='403']"):
            problems.append("403 without the styled refusal page")
    elif status != 200:
        problems.append(f"status {status}")
    if "Traceback" in text or "Exception Value" in text or "Server Error" in text:
        problems.append("traceback or server error")
    return problems + check_text(text, chinese=chinese, data=data)


def crawl(
    page, base: str, start: list[str], *, scope: str, cap: int, per_kind: int = 2, chinese=True, data=()
):
    """Visit what is reachable from `start` (paths under `scope`), breadth first: at most `per_kind` pages of
    one kind (a changelist's filters, a model's objects) and `cap` pages in all. Returns the visits."""
    origin = urlsplit(base)
    queue = deque(urljoin(base, p) for p in start)
    seen: set[str] = set()
    kinds: dict[str, int] = {}
    visits: list[Visit] = []
    while queue and len(visits) < cap:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        kind = _pattern(url)
        if kinds.get(kind, 0) >= (1 if ONCE.search(kind) else per_kind):
            continue
        kinds[kind] = kinds.get(kind, 0) + 1
        try:
            response = page.goto(url)
        except PlaywrightError as exc:
            if "Download is starting" in str(exc):  # a file, not a page (the link did not say so)
                continue
            visits.append(Visit(url=url[len(base) :], status=0, problems=[str(exc).splitlines()[0]]))
            continue
        visit = Visit(url=url[len(base) :], status=response.status if response else 0)
        visit.problems = check_page(page, response, chinese=chinese, data=data)
        visits.append(visit)
        if visit.status != 200:
            continue
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            parts = urlsplit(href)
            if (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc):
                continue
            if not parts.path.startswith(scope) or SKIP.search(href):
                continue
            clean = urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
            if clean not in seen:
                queue.append(clean)
    return visits
