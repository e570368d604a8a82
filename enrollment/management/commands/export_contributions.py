from django.utils import timezone

from ltci.core.commands import YearCsvCommand


class Command(YearCsvCommand):
    help = (
        "Print one CSV row per person insured in the year with the contribution split and status (SPEC 11.5)"
    )

    def header(self):
        from enrollment.selectors import EXPORT_HEADER

        return EXPORT_HEADER

    def rows(self, year):
        from enrollment.selectors import contribution_export_rows

        return contribution_export_rows(year, today=timezone.localdate())
