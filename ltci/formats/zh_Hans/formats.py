"""Chinese formats with ISO dates first: HTML date inputs only accept YYYY-MM-DD, and Django renders a form
value with the first input format (Chinese would give 2026/12/01, which a browser's date input discards)."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F401,F403
from django.conf.locale.zh_Hans.formats import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS

DATE_INPUT_FORMATS = ["%Y-%m-%d", *[f for f in DATE_INPUT_FORMATS if f != "%Y-%m-%d"]]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M", *[f for f in DATETIME_INPUT_FORMATS if f != "%Y-%m-%d %H:%M"]]
