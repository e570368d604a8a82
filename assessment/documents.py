"""The conclusion notice (评估结论通知书, SPEC 10) as PDF: numbered, re-issued byte-identically."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ltci.core.idnumber import mask_id
from ltci.core.pdf import render_pdf
from ltci.core.policy import policy_in_force

from .models import Conclusion
from .scales import get_scale


def conclusion_notice_context(conclusion: Conclusion) -> dict:
    """Build the context from the conclusion alone, so a re-issue renders the same document."""
    scale = get_scale(conclusion.scale_version)
    levels = {}
    if conclusion.adl is not None and hasattr(scale, "indicators"):
        for key in ("adl", "cognition", "perception"):
            level = scale.indicators[key].level_of(getattr(conclusion, key))
            levels[key] = scale.level_names[level]
    reminder_days = policy_in_force("assessment", on=conclusion.concluded_on)["reminder_days"]
    issued = conclusion.finalized_at or dt.datetime.combine(
        conclusion.concluded_on, dt.time(9), tzinfo=timezone.get_default_timezone()
    )
    return {
        "title": "长期护理失能等级评估结论通知书",
        "document_no": conclusion.document_no,
        "issued_at": timezone.localtime(issued).replace(microsecond=0),
        "conclusion": conclusion,
        "person": conclusion.person,
        "masked_id": mask_id(conclusion.person.national_id),
        "agency_name": conclusion.agency.name if conclusion.agency_id else "",
        "scale_title": getattr(scale, "title_zh", "") or "长期护理失能等级评估标准（试行）",
        "grade_name": f"{conclusion.grade}级 {scale.grade_names[conclusion.grade]}",
        "levels": levels,
        "reminder_days": reminder_days,
    }


def conclusion_notice_pdf(conclusion: Conclusion) -> bytes:
    """Render the notice of a final conclusion."""
    if conclusion.state != Conclusion.State.FINAL:
        raise ValueError("only a final conclusion has a notice")
    return render_pdf("documents/conclusion_notice.html", conclusion_notice_context(conclusion))
