"""What a policy change would affect (SPEC 2: staff see which calculations of which months before saving).

Settlement sits on top of the apps, so it is the one place that can see settlement runs, open months,
benefit decisions and contribution years together; the core policy admin asks it through the subclass
registered in settlement/policy_admin.py. Reads only: approved months are listed, never recomputed.
"""

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext as _

from benefits.models import BenefitDecision
from enrollment.models import Contribution
from ltci.core.dates import month_end

from .models import ServiceRecord
from .selectors import latest_runs

# kinds read by the yearly contribution run (SPEC 3); every kind can change a settlement month's result
CONTRIBUTION_KINDS = {
    "coverage",
    "contribution_standard",
    "fiscal_split",
    "subsidised_categories",
    "collection",
    "collective_subsidy",
    "family_payment",
    "waiting_period",
    "waiting_exemption",
}


def policy_change_impact(*, kind: str, key: str, start: dt.date, end: dt.date | None) -> list[dict]:
    """Sections {title, rows} for the confirmation page: settlement months by state, open months with
    services, persons concerned, and for contribution kinds the contribution years."""
    last = end or dt.date.max
    runs = {m: r for m, r in latest_runs().items() if start.replace(day=1) <= m <= last}
    records = ServiceRecord.objects.filter(service_date__gte=start, service_date__lte=last)
    record_months = set(records.dates("service_date", "month"))
    final = [
        (f"{m:%Y-%m}", r.get_state_display(), _("已批准，不重算"))
        for m, r in sorted(runs.items())
        if r.is_final
    ]
    open_months = sorted({m for m in record_months | set(runs) if m not in runs or not runs[m].is_final})
    open_rows = [
        (
            f"{m:%Y-%m}",
            runs[m].get_state_display() if m in runs else _("未运行"),
            _("下次结算运行按新参数计算"),
        )
        for m in open_months
    ]
    open_q = Q()
    for m in open_months:
        open_q |= Q(service_date__range=(m, month_end(m)))
    persons = (
        set(records.filter(open_q).values_list("person_id", flat=True).distinct()) if open_months else set()
    )
    persons |= set(
        BenefitDecision.objects.overlapping(start, last).values_list("person_id", flat=True).distinct()
    )
    sections = [
        {"title": _("已批准的月度结算（不重算）"), "rows": final},
        {"title": _("未批准的月份（含有服务记录或草稿结算）"), "rows": open_rows},
        {"title": _("涉及人数"), "rows": [(_("有效期内有服务记录或待遇决定的参保人"), len(persons))]},
    ]
    if kind in CONTRIBUTION_KINDS:
        years = (
            Contribution.objects.filter(year__gte=start.year, year__lte=last.year)
            .values_list("year")
            .order_by("year")
            .distinct()
        )
        rows = [(y, Contribution.objects.filter(year=y).count()) for (y,) in years]
        sections.append({"title": _("已生成的缴费年度（年度 / 人数）"), "rows": rows})
    return sections
