"""{% portal_nav %}: the portal's navigation, role-aware; other apps' areas appear once they exist."""

from django import template
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_noop

from institutions.permissions import current_institution, current_role
from ltci.core.permissions import can

register = template.Library()

# (label, path, institution types that see it: None = all except assessment agencies, capability); labels are
# translated when the nav is rendered ({% translate label %}), gettext_noop only marks them for makemessages.
AREAS = [
    (gettext_noop("评估任务"), "/portal/assessments/", {"assessment_agency"}, "portal.assessment_agency"),
    (gettext_noop("入住与服务对象"), "/portal/residents/", None, "portal.residents"),
    (
        gettext_noop("失能评估申请"),
        "/portal/assessments/applications/",
        {"elderly_care", "medical", "community", "home_care"},
        "portal.assessment_apply",
    ),
    (gettext_noop("结算与对账"), "/portal/settlement/", None, "portal.settlement"),
]


def _area_exists(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return not match.func.__module__.startswith("institutions.")


@register.inclusion_tag("portal/_nav.html", takes_context=True)
def portal_nav(context):
    request = context.get("request")
    institution = current_institution(request) if request else None
    role = current_role(request) if request else None
    links = []
    if institution is not None:
        links = [
            ("/portal/", gettext_noop("首页")),
            ("/portal/profile/", gettext_noop("机构信息")),
            ("/portal/agreement/", gettext_noop("服务协议")),
        ]
        if can(None, "portal.records", portal_role=role):
            links += [
                ("/portal/beds/", gettext_noop("床位")),
                ("/portal/caregivers/", gettext_noop("护理人员")),
                ("/portal/violations/", gettext_noop("违规处理")),
                ("/portal/appraisals/", gettext_noop("年度考核")),
            ]
        for label, path, types, capability in AREAS:
            agency = institution.type == "assessment_agency"
            visible = (institution.type in types) if types else not agency
            if visible and can(None, capability, portal_role=role) and _area_exists(path):
                links.append((path, label))
        if can(None, "portal.users", portal_role=role):
            links += [
                ("/portal/users/", gettext_noop("用户管理")),
                ("/portal/tokens/", gettext_noop("API令牌")),
            ]
    return {"links": links, "institution": institution, "user": getattr(request, "user", None)}
