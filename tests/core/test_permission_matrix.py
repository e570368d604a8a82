"""The permission matrix, generated from the one declaration of who may do what (ltci.core.permissions).

Every admin action of every registered ModelAdmin is POSTed with a real object selected, and every custom admin
URL is requested, as each staff role, staff without a role and a superuser: each is allowed exactly when the
declaration says so, and a refused action leaves the data unchanged. (The portal and API side is the isolation
matrix, tests/institutions/test_isolation.py, whose rules are checked against the same declaration there.)
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from institutions.models import InstitutionUser
from ltci.core import permissions
from ltci.core.permissions import (
    CAPABILITIES,
    action_permission,
    capability_governing,
    capability_of_action_permission,
)
from ltci.core.roles import ALL_ROLES
from tests.institutions import helpers

OUR_APPS = {"core", "enrollment", "assessment", "benefits", "institutions", "settlement"}
STANDARD_VIEWS = ("changelist", "add", "history", "delete", "change")
DJANGO_PERMISSIONS = ("view", "add", "change", "delete")
# Custom admin views that only act on POST; the matrix sends them an empty form.
POST_ONLY = {
    "settlement_run_start",
    "institutions_insurancenotice_run_check",
    "benefits_benefitdecision_run_ends",
    "core_jobrun_redispatch",
}
# URL arguments: objects that do not exist (0), so that passing the capability check shows as 404, never 403.
URL_ARGS = {"object_id": 0, "pk": 0, "batch_id": 0, "kind": "roster", "action": "sign"}
APPLICATION_ACTION = "accept"
# django-axes' own action reads a request attribute only its login handler sets: a 500 even for superusers
# (the only ones who may use it); not ours to fix, left out of the matrix.
THIRD_PARTY_BROKEN = {"axes.accessattempt.cleanup_expired_attempts"}


def registered_admins():
    """(model, ModelAdmin) for every model registered with the admin site (public API)."""
    return [
        (model, admin.site.get_model_admin(model))
        for model in apps.get_models()
        if admin.site.is_registered(model)
    ]


@pytest.fixture
def users(db):
    found = {role: _staff(f"role-{i}", role) for i, role in enumerate(ALL_ROLES)}
    found["staff without role"] = _staff("no-role")
    found["superuser"] = User.objects.create_superuser("root-matrix", password=helpers.PASSWORD)
    return found


def _staff(username, *roles):
    user = User.objects.create_user(username, password=helpers.PASSWORD, is_staff=True)
    user.groups.add(*Group.objects.filter(name__in=roles))
    return user


def declared(capability_name: str, label: str) -> bool:
    """What the declaration grants to a staff role (read from the table, not through can())."""
    if label == "superuser":
        return True
    if label == "staff without role":
        return False
    cap = CAPABILITIES[capability_name]
    if cap.perm:
        app_label, codename = cap.perm.split(".")
        return Group.objects.filter(
            name=label, permissions__content_type__app_label=app_label, permissions__codename=codename
        ).exists()
    return label in cap.staff


def page_permission(model, permission: str, label: str) -> bool:
    """What the role migrations grant for Django's own view/add/change/delete of a model."""
    if label == "superuser":
        return True
    if label == "staff without role":
        return False
    return Group.objects.filter(
        name=label,
        permissions__content_type__app_label=model._meta.app_label,
        permissions__codename=f"{permission}_{model._meta.model_name}",
    ).exists()


def expected_for_action(model, name, func, label) -> bool:
    """Our actions: what the capability listing the action grants. Django's delete_selected and third-party
    actions: Django offers an action when the user has ANY of its permissions; one without permissions to
    whoever may view the list."""
    if model._meta.app_label in OUR_APPS and name != "delete_selected":
        return declared(capability_governing(f"{model._meta.label_lower}.{name}"), label)
    allowed = False
    for permission in getattr(func, "allowed_permissions", None) or ("view",):
        if permission in DJANGO_PERMISSIONS:
            allowed |= page_permission(model, permission, label)
        else:
            allowed |= declared(capability_of_action_permission(permission), label)
    return allowed


# Builders of one real object for each admin whose actions the matrix POSTs.
def _person(serial):
    from enrollment.models import Person
    from ltci.core.idnumber import parse_id_number

    number = helpers.national_id(serial, birth=dt.date(1945, 1, 1))
    info = parse_id_number(number)
    return Person.objects.create(
        national_id=number,
        name=f"矩阵{serial}",
        birth_date=info.birth_date,
        sex=info.sex,
        insurance_type="resident",
        region_code="320302",
    )


@pytest.fixture
def objects(db, users):
    from axes.models import AccessAttempt

    from benefits.models import BenefitDecision
    from benefits.services.accounts import account_create
    from institutions.models import InsuranceNotice
    from ltci.core.models import ImportBatch
    from settlement.models import (
        Appeal,
        LedgerEntry,
        ServiceRecord,
        SettlementLine,
        SettlementRun,
        Statement,
    )

    institution = helpers.institution(code="MATRIX")
    person = _person(901)
    run = SettlementRun.objects.create(
        month=dt.date(2024, 5, 1), version=1, state=SettlementRun.State.AUDITED
    )
    line = SettlementLine.objects.create(
        run=run,
        institution=institution,
        person=person,
        care_form="residential",
        service_month=run.month,
        quantity=1,
        charged_amount=Decimal("60.00"),
        fund_amount=Decimal(0),
        personal_amount=Decimal(0),
        rejected_amount=Decimal("60.00"),
    )
    made = {
        "core.importbatch": ImportBatch.objects.create(
            kind="roster", filename="m.csv", sha256="1" * 64, error_report="row,field,reason\n"
        ),
        "settlement.settlementrun": run,
        "settlement.servicerecord": ServiceRecord.objects.create(
            institution=institution,
            person=person,
            kind="home_visit",
            service_date=dt.date(2024, 5, 3),
            charged_amount=Decimal("2500.00"),
            source_key="matrix-held",
            held_reason="CHARGE_ABOVE_CEILING",
        ),
        "settlement.statement": Statement.objects.create(run=run, institution=institution),
        "settlement.appeal": Appeal.objects.create(institution=institution, line=line, comment="矩阵申诉"),
        "settlement.ledgerentry": LedgerEntry.objects.create(
            booked_on=dt.date(2024, 5, 31),
            account="pooled",
            source="matrix",
            amount=Decimal("1.00"),
            reference="matrix-1",
        ),
        "institutions.institution": institution,
        "institutions.insurancenotice": InsuranceNotice.objects.create(
            agreement=institution.agreements.get(),
            kind="warning",
            expires_on=dt.date(2030, 12, 31),
            created_on=dt.date(2030, 12, 1),
        ),
        "benefits.benefitdecision": BenefitDecision.objects.create(
            person=person, care_form="home_visits", institution=institution, starts_on=dt.date(2024, 1, 1)
        ),
        "benefits.insuredaccount": account_create(national_id=person.national_id),
        "axes.accessattempt": AccessAttempt.objects.create(
            username="matrix", ip_address="10.0.0.1", user_agent="matrix", failures_since_start=1
        ),
    }
    return made


def _snapshot():
    """Row counts of every table (one statement) plus every row of the tables the actions touch."""
    tables = sorted({model._meta.db_table for model in apps.get_models()})
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f'(SELECT count(*) FROM "{t}")' for t in tables))  # noqa: S608
        counts = dict(zip(tables, cursor.fetchone(), strict=True))
    for label in (
        "settlement.settlementrun",
        "settlement.appeal",
        "settlement.servicerecord",
        "institutions.institution",
        "institutions.insurancenotice",
        "benefits.benefitdecision",
        "benefits.insuredaccount",
    ):
        counts[label + " rows"] = list(apps.get_model(label).objects.order_by("pk").values())
    return counts


def _no_action_texts():
    """Django's own refusal of an action not offered to the user, in both languages (not a project msgid)."""
    django_text, texts = "No action selected.", set()
    for language in ("en", "zh-hans"):
        with translation.override(language):
            texts.add(str(translation.gettext(django_text)))
    return texts


def _refused_action(response) -> bool:
    if response.status_code == 403:
        return True
    texts = _no_action_texts()
    if any(str(m) in texts for m in get_messages(response.wsgi_request)):
        return True
    # A user without any action gets the list page back: the POST is not an action at all.
    context = getattr(response, "context_data", None) or {}
    return response.status_code == 200 and "cl" in context


def test_every_admin_action_declares_its_permissions(db, users):
    request = RequestFactory().get("/admin/")
    request.user = users["superuser"]
    missing = [
        f"{model._meta.label}.{name}"
        for model, model_admin in registered_admins()
        for name, (func, _n, _d) in model_admin.get_actions(request).items()
        if model._meta.app_label in OUR_APPS and not getattr(func, "allowed_permissions", None)
    ]
    unknown = [
        f"{model._meta.label}.{name}: {p}"
        for model, model_admin in registered_admins()
        for name, (func, _n, _d) in model_admin.get_actions(request).items()
        for p in getattr(func, "allowed_permissions", ())
        if p not in DJANGO_PERMISSIONS and capability_of_action_permission(p) is None
    ]
    assert not missing, f"admin actions open to anyone who sees the list: {missing}"
    assert not unknown, f"admin action permissions not in ltci.core.permissions: {unknown}"
    ours = {
        f"{model._meta.label_lower}.{name}": func
        for model, model_admin in registered_admins()
        if model._meta.app_label in OUR_APPS
        for name, (func, _n, _d) in model_admin.get_actions(request).items()
        if name != "delete_selected"
    }
    wrong = [
        f"{use}: permissions {func.allowed_permissions}, declared {capability_governing(use)}"
        for use, func in ours.items()
        if capability_governing(use) is None
        or tuple(func.allowed_permissions) != (action_permission(capability_governing(use)),)
    ]
    assert not wrong, "admin actions not governed by the capability that lists them:\n" + "\n".join(wrong)
    listed = {use for cap in CAPABILITIES.values() for use in cap.uses if "." in use}
    assert listed == set(ours), f"declared but not in the admin: {listed - set(ours)}"


def test_admin_action_matrix(users, objects):
    """Every action POSTed with a real object as every role: allowed exactly when declared; refusals change
    nothing."""
    request = RequestFactory().get("/admin/")
    request.user = users["superuser"]
    failures, posted = [], set()
    for model, model_admin in registered_admins():
        actions = model_admin.get_actions(request)
        obj = objects.get(model._meta.label_lower) or model._default_manager.order_by("pk").first()
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for name, (func, _n, _d) in actions.items():
            if f"{model._meta.label_lower}.{name}" in THIRD_PARTY_BROKEN:
                continue
            if obj is None:
                if name != "delete_selected":
                    failures.append(
                        f"{model._meta.label}.{name}: no object to select (add a builder to `objects`)"
                    )
                continue
            posted.add(f"{model._meta.label_lower}.{name}")
            for label, user in users.items():
                client = Client()
                client.force_login(user)
                expected = expected_for_action(model, name, func, label)
                before = None if expected else _snapshot()

                sid = transaction.savepoint()
                try:
                    response = client.post(url, {"action": name, "_selected_action": [obj.pk]})
                    after = None if expected else _snapshot()
                finally:
                    transaction.savepoint_rollback(sid)
                if response.status_code >= 500:
                    failures.append(f"{model._meta.label}.{name} as {label}: {response.status_code}")
                elif _refused_action(response) == expected:
                    failures.append(
                        f"{model._meta.label}.{name} as {label}: "
                        f"{'refused' if expected else 'allowed'} but the declaration says "
                        f"{'allowed' if expected else 'refused'}"
                    )
                elif not expected and before != after:
                    failures.append(f"{model._meta.label}.{name} as {label}: refused but the data changed")
    assert (
        "settlement.settlementrun.rerun" in posted and "institutions.institution.lifecycle_suspend" in posted
    )
    assert not failures, "\n".join(failures)


def custom_admin_urls():
    """(url name, pattern, model) of every admin URL our admins add beyond Django's own pages (and
    simple_history's per-object history page, which checks the page's own view/change permission)."""
    found = []
    for model, model_admin in registered_admins():
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if model._meta.app_label not in OUR_APPS:
            continue
        for pattern in model_admin.get_urls():
            standard = {prefix + v for v in (*STANDARD_VIEWS, "simple_history")}
            if pattern.name is None or pattern.name in standard:
                continue
            found.append((pattern.name, pattern, model))
    return found


def test_every_custom_admin_url_is_governed_by_the_capability_that_lists_it():
    wrong = [
        f"{name}: @requires({getattr(pattern.callback, 'capability', None)}), declared "
        f"{capability_governing(name)}"
        for name, pattern, _model in custom_admin_urls()
        if capability_governing(name) is None
        or getattr(pattern.callback, "capability", None) != capability_governing(name)
    ]
    assert not wrong, "custom admin views and the declaration disagree:\n" + "\n".join(wrong)
    listed = {use for cap in CAPABILITIES.values() for use in cap.uses if "." not in use}
    assert listed == {name for name, _p, _m in custom_admin_urls()}


def test_custom_admin_url_matrix(users):
    failures = []
    for name, pattern, _model in custom_admin_urls():
        capability = capability_governing(name)
        args = {key: URL_ARGS[key] for key in pattern.pattern.converters}
        if name == "assessment_application_action":
            args["action"] = APPLICATION_ACTION
        url = reverse(f"admin:{name}", kwargs=args)
        for label, user in users.items():
            client = Client()
            client.force_login(user)
            send = client.post if name in POST_ONLY else client.get
            sid = transaction.savepoint()
            try:
                response = send(url)
            finally:
                transaction.savepoint_rollback(sid)
            expected = declared(capability, label)
            if response.status_code >= 500:
                failures.append(f"{url} as {label}: {response.status_code}")
            elif (response.status_code == 403) == expected:
                failures.append(
                    f"{url} ({capability}) as {label}: got {response.status_code}, declared "
                    f"{'allowed' if expected else 'refused'}"
                )
    assert not failures, "\n".join(failures)


def test_capabilities_with_staff_roles_are_on_pages_those_roles_can_open(db):
    """The declaration and the role migrations do not disagree: a role granted a capability of a page can view
    that page (its model's view permission)."""
    pages = {
        "settlement.run": "settlement.view_settlementrun",
        "settlement.audit": "settlement.view_settlementrun",
        "settlement.approve": "settlement.view_settlementrun",
        "settlement.pay": "settlement.view_settlementrun",
        "settlement.payments": "settlement.view_paymentbatch",
        "settlement.bank_accounts": "settlement.view_bankaccount",
        "settlement.appeals": "settlement.view_appeal",
        "settlement.confirm_charges": "settlement.view_servicerecord",
        "fund.reports": "settlement.view_settlementrun",
        "enrollment.import": "enrollment.view_person",
        "enrollment.run_contributions": "enrollment.view_contribution",
        "enrollment.arrears": "enrollment.view_contribution",
        "institutions.lifecycle": "institutions.change_institution",
        "institutions.portal_users": "institutions.change_institution",
        "institutions.import": "institutions.add_institution",
        "core.jobs_redispatch": "core.view_jobrun",
    }
    staff_caps = {name for name, cap in CAPABILITIES.items() if cap.staff}
    assert staff_caps == set(pages), "name the page of each staff capability here"
    disagree = []
    for name, perm in pages.items():
        app_label, codename = perm.split(".")
        for role in CAPABILITIES[name].staff:
            if not Group.objects.filter(
                name=role, permissions__content_type__app_label=app_label, permissions__codename=codename
            ).exists():
                disagree.append(f"{name}: {role} lacks {perm}")
    assert not disagree, disagree


def test_portal_roles_of_the_declaration_are_the_institution_user_roles():
    assert set(permissions.PORTAL_ROLES) == set(InstitutionUser.Role.values)
    for name, cap in CAPABILITIES.items():
        assert bool(cap.portal) != bool(cap.staff or cap.perm), name
        assert cap.portal <= set(permissions.PORTAL_ROLES), name
        assert cap.staff <= set(ALL_ROLES), name


def test_can_refuses_inactive_and_non_staff_users_and_unknown_capabilities(users):
    officer = users["结算专员"]
    assert permissions.can(officer, "settlement.run")
    officer.is_active = False
    assert not permissions.can(officer, "settlement.run")
    assert not permissions.can(helpers.plain_user(), "settlement.run")
    assert not permissions.can(users["superuser"], "portal.records")
    assert permissions.can(None, "portal.records", portal_role="clerk")
    assert not permissions.can(None, "portal.settlement", portal_role="caregiver")
    with pytest.raises(LookupError):
        permissions.can(officer, "settlement.nonexistent")
