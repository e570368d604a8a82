"""Chinese formats with ISO dates first: HTML date inputs only accept YYYY-MM-DD, and Django renders a form
value with the first input format (Chinese would give 2026/12/01, which a browser's date input discards)."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F401,F403
from django.conf.locale.zh_Hans.formats import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS

DATE_INPUT_FORMATS = ["%Y-%m-%d", *[f for f in DATE_INPUT_FORMATS if f != "%Y-%m-%d"]]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M", *[f for f in DATETIME_INPUT_FORMATS if f != "%Y-%m-%d %H:%M"]]

# Amounts as a Chinese office prints them: 114,467.10 (groups of three with commas, as on bank and fund
# documents), where Django's zh_Hans locale has no separator and groups of four. Only `floatformat:"2g"` and
# explicit localisation use it (USE_THOUSAND_SEPARATOR stays off, so IDs and years are never grouped).
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
