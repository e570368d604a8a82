"""Demo benefits (idempotent): decisions in every Xuzhou care form for persons with a covered conclusion,
residential admissions, hospital stays, remote-residence filings, and a status-page login with an agent."""

import datetime as dt

from django.utils import timezone

from ltci.core.demo import DEMO_PASSWORD
from ltci.core.idnumber import make_id_number
from ltci.core.policy import PolicyError

from .models import AgentLink, BenefitDecision, HospitalStay, InsuredAccount, RemoteResidence
from .services import DecisionError, decision_create
from .services.accounts import account_create, agent_link_create

MARKER = "演示数据"
FORMS = [
    "residential",
    "home_visits",
    "home_family",
    "home_family",
    "remote_cash",
    "residential",
    "home_visits",
]
AGENT_ID = make_id_number("320302", dt.date(1975, 5, 5), 101)
AGENT_NAME = "演示代办人"


def _institutions():
    from institutions.models import Institution
    from institutions.selectors import active_agreement

    today = timezone.localdate()
    by_form: dict[str, list] = {}
    for inst in Institution.objects.filter(status="active").order_by("code"):
        agreement = active_agreement(institution=inst, on=today)
        for form in agreement.care_forms if agreement else []:
            by_form.setdefault(form, []).append(inst)
    return by_form


def _candidates(limit: int):
    from assessment.scales import benefit_class
    from assessment.selectors import conclusion_in_force
    from enrollment.models import Person

    today = timezone.localdate()
    people = Person.objects.filter(died_on__isnull=True, conclusions__state="final").distinct().order_by("id")
    out = []
    for person in people[: limit * 4]:
        conclusion = conclusion_in_force(person=person, on=today)
        if conclusion and benefit_class(conclusion.grade) in ("severe", "moderate"):
            out.append((person, conclusion))
        if len(out) >= limit:
            break
    return out


def seed(*, persons, rng, stdout):
    if BenefitDecision.objects.filter(note=MARKER).exists():
        stdout.write("benefits: demo data already present")
        return
    today = timezone.localdate()
    by_form = _institutions()
    made: dict[str, int] = {}
    decided = []
    for n, (person, conclusion) in enumerate(_candidates(max(20, min(persons // 10, 300)))):
        form = FORMS[n % len(FORMS)]
        institutions = by_form.get(
            "home_visits" if form == "home_family" and "home_family" not in by_form else form, []
        )
        institution = None
        if form in ("residential", "home_visits", "home_family"):
            if not institutions:
                continue
            institution = institutions[0] if n < 14 else rng.choice(institutions)
        starts_on = max(
            conclusion.concluded_on,
            today - dt.timedelta(days=rng.randint(40, 200)),
            dt.date(today.year - 1, 1, 2),
        )
        if form == "remote_cash":
            RemoteResidence.objects.get_or_create(
                person=person,
                valid_from=starts_on,
                defaults={"place": rng.choice(["上海市", "南京市", "北京市"])},
            )
        try:
            decision = decision_create(
                person=person,
                care_form=form,
                institution=institution,
                starts_on=starts_on,
                carer_trained=(n % 2 == 0) if form == "home_family" else None,
                note=MARKER,
            )
        except (DecisionError, PolicyError):
            continue
        made[form] = made.get(form, 0) + 1
        decided.append(decision)
    for decision in decided[1:6]:
        admitted = today - dt.timedelta(days=rng.randint(12, 30))
        if admitted > decision.starts_on:
            HospitalStay.objects.get_or_create(
                person=decision.person,
                admitted_on=admitted,
                defaults={
                    "discharged_on": admitted + dt.timedelta(days=rng.randint(2, 8)),
                    "hospital": "徐州市中心医院",
                },
            )
    if len(decided) > 7:
        HospitalStay.objects.get_or_create(
            person=decided[7].person,
            admitted_on=today - dt.timedelta(days=3),
            defaults={"hospital": "徐州医科大学附属医院"},
        )
    _logins(decided)
    stdout.write(f"benefits: decisions by care form {made}")


def _logins(decided):
    if not decided:
        return
    home = next((d for d in decided if d.care_form in ("home_family", "home_visits")), decided[0])
    account = account_create(national_id=home.person.national_id)
    _set_password(account)
    agent = account_create(national_id=AGENT_ID, name=AGENT_NAME)
    _set_password(agent)
    principal = next((d.person for d in decided if d.care_form == "residential"), decided[-1].person)
    if not AgentLink.objects.filter(account=agent, principal=principal).exists():
        agent_link_create(
            account=agent,
            principal=principal,
            relation="guardian",
            valid_from=timezone.localdate() - dt.timedelta(days=365),
        )


def _set_password(account: InsuredAccount) -> None:
    user = account.user
    user.set_password(DEMO_PASSWORD)
    user.save()
    if account.activated_at is None:
        account.activated_at = timezone.now()
        account.save()


def login_lines(base_url: str) -> list[str]:
    lines = []
    for account in InsuredAccount.objects.filter(activated_at__isnull=False).order_by("created_at")[:2]:
        role = "代办人/监护人" if account.person_id is None else "参保人"
        lines.append(
            f"参保人服务（{role} {account.name}）: {base_url}/me/login/  身份号码 {account.national_id}，"
            f"密码 {DEMO_PASSWORD}"
        )
    return lines
