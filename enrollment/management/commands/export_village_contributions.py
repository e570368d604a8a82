from ltci.core.commands import YearCsvCommand


class Command(YearCsvCommand):
    help = "Print the year's contributions per region and village/community (村/社区) as CSV (issue 18, seed 003)"

    def header(self):
        from enrollment.selectors import VILLAGE_HEADER

        return VILLAGE_HEADER

    def rows(self, year):
        from enrollment.selectors import contribution_village_rows

        return contribution_village_rows(year)
