"""Storing service records from every channel (file, API, portal, generated bed-days) (SPEC 7.1)."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from benefits.models import Admission
from ltci.core.dates import month_end
from ltci.core.partitions import ensure_partitions

from ..models import Claim, RecordKind, ServiceRecord, ServiceRecordKey

FIELDS = (
    "institution_id",
    "person_id",
    "kind",
    "service_date",
    "component",
    "charged_amount",
    "caregiver_national_id",
    "started_at",
    "ended_at",
    "items",
)

KEY_CONSTRAINTS = ("record_source_key_once", "record_client_key_once")  # ServiceRecordKey's unique keys


def records_store(*, records: list[tuple[str, dict]], origin: str, confirmed: bool = True) -> tuple[int, int]:
    """Store records keyed by their source key; a key already stored is left unchanged.

    Return (applied, unchanged). Idempotent through the source key, unique across all months in
    ServiceRecordKey (the database writes it with the records). The months' partitions are made first
    (``ensure_record_partitions``). A concurrent store of the same key (the other transaction committed
    between our look-up and our insert) raises a unique violation on the key table: the look-up and the
    insert are then repeated once the other has committed, so the key counts as unchanged, as before.
    """
    if not records:
        return 0, 0
    ensure_record_partitions({data["service_date"] for _, data in records})
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _store(records, origin=origin, confirmed=confirmed)
        except IntegrityError as err:
            if attempt == 2 or not any(name in str(err) for name in KEY_CONSTRAINTS):
                raise
    raise AssertionError("unreachable")


def stored_source_keys(keys) -> set[str]:
    """The source keys among ``keys`` already stored (one look-up in the key table, not in every month)."""
    return set(
        ServiceRecordKey.objects.filter(source_key__in=list(keys)).values_list("source_key", flat=True)
    )


def ensure_record_partitions(dates) -> list[str]:
    """Make the partitions of service records for the months of ``dates`` that lack one (catalog look-ups
    when they exist: the daily task keeps this and next month ahead). Inside a transaction the new
    partition's lock on the records table is held until it commits: meant for late or far-ahead months."""
    created = []
    for month in sorted({d.replace(day=1) for d in dates}):
        created += ensure_partitions(ServiceRecord._meta.db_table, month)
    return created


def _store(records: list[tuple[str, dict]], *, origin: str, confirmed: bool) -> tuple[int, int]:
    existing = stored_source_keys(key for key, _ in records)
    new = []
    seen = set()
    for key, data in records:
        if key in existing or key in seen:
            continue
        seen.add(key)
        values = {name: data.get(name) for name in FIELDS}
        values["component"] = values["component"] or ""
        values["caregiver_national_id"] = values["caregiver_national_id"] or ""
        values["items"] = values["items"] or []
        new.append(
            ServiceRecord(
                source_key=key,
                origin=origin,
                confirmed=confirmed,
                client_key=data.get("client_key", "") or "",
                held_reason=data.get("held_reason") or "",
                **values,
            )
        )
    ServiceRecord.objects.bulk_create(new, batch_size=5000)
    return len(new), len(records) - len(new)


def bed_days_generate(*, institution, month: dt.date, daily_charge=None) -> int:
    """Create unconfirmed bed-day records (life care) from the institution's admissions in a month.

    The admission day counts, the discharge day does not (SPEC 5.2). The charge is the given daily charge,
    else the agreed life-care price. Records wait for the institution's confirmation (bed_days_confirm)
    before a run takes them. Return the number created.
    """
    from institutions.selectors import active_agreement

    end = month_end(month)
    records = []
    for admission in Admission.objects.overlapping(month, end).filter(institution=institution):
        agreement = active_agreement(institution=institution, on=month)
        price = daily_charge if daily_charge is not None else (agreement.price_life if agreement else None)
        day = max(admission.admitted_on, month)
        last = (
            end
            if admission.discharged_on is None
            else min(end, admission.discharged_on - dt.timedelta(days=1))
        )
        while day <= last:
            records.append(
                (
                    f"gen:{admission.pk}:{day.isoformat()}:life",
                    {
                        "institution_id": institution.pk,
                        "person_id": admission.person_id,
                        "kind": RecordKind.BED_DAY,
                        "service_date": day,
                        "component": "life",
                        "charged_amount": price if price is not None else 0,
                    },
                )
            )
            day += dt.timedelta(days=1)
    applied, _ = records_store(records=records, origin=ServiceRecord.Origin.GENERATED, confirmed=False)
    return applied


@transaction.atomic
def bed_days_confirm(*, institution, month: dt.date, record_ids=None) -> int:
    """Confirm generated bed-days of a month (all, or the given ids) so that the run takes them; the office
    receives a bed-day when it is confirmed (received_at: a month already run takes it as a late record)."""
    qs = ServiceRecord.objects.filter(
        institution=institution,
        origin=ServiceRecord.Origin.GENERATED,
        confirmed=False,
        service_date__range=(month, month_end(month)),
    )
    if record_ids is not None:
        qs = qs.filter(pk__in=list(record_ids))
    return qs.update(confirmed=True, received_at=timezone.now())


def claim_deadline(month: dt.date) -> dt.date:
    """The institutions' claim deadline for a month: the policy's day of the next month."""
    from ltci.core.policy import policy_in_force

    next_month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return next_month.replace(day=policy_in_force("claim_deadline", on=month)["day_of_next_month"])


REMIND_DAYS = 3  # a reminder this many days before the deadline, another one the day after it


def claim_reminders(*, on: dt.date) -> list:
    """Daily (SPEC 7.1): remind institutions with an agreement in force last month that have not submitted
    their claim, REMIND_DAYS before the deadline and once more when it has passed. Safe to run twice."""
    from django.core.mail import send_mail

    from institutions.models import Agreement, Institution, InstitutionUser
    from institutions.selectors import agreement_days

    from ..models import ClaimReminder
    from .notices import claim_deadline_notify

    month = (on.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    deadline = claim_deadline(month)
    if 0 <= (deadline - on).days <= REMIND_DAYS:
        kind = ClaimReminder.Kind.DUE
    elif on > deadline:
        kind = ClaimReminder.Kind.OVERDUE
    else:
        return []
    candidates = set(
        Agreement.objects.overlapping(month, month_end(month))
        .exclude(institution__type="assessment_agency")
        .values_list("institution_id", flat=True)
    )
    in_force = set(agreement_days(institution_ids=candidates, start=month, end=month_end(month)))
    claimed = set(Claim.objects.filter(month=month).values_list("institution_id", flat=True))
    done = set(ClaimReminder.objects.filter(month=month, kind=kind).values_list("institution_id", flat=True))
    sent = []
    for institution_id in sorted(in_force - claimed - done):
        emails = sorted(
            set(
                InstitutionUser.objects.filter(
                    institution_id=institution_id, role__in=["admin", "clerk"], user__is_active=True
                )
                .exclude(user__email="")
                .values_list("user__email", flat=True)
            )
        )
        text = (
            f"{month:%Y年%m月}长护险月度申报截止日为{deadline:%Y-%m-%d}，贵机构尚未提交申报。"
            if kind == ClaimReminder.Kind.DUE
            else f"{month:%Y年%m月}长护险月度申报已于{deadline:%Y-%m-%d}截止，贵机构尚未提交，提交后将标记为逾期申报；"
            "截止后收到的记录将作为逾期记录进入下月结算。"
        )
        if emails:
            send_mail(f"长护险月度申报提醒（{month:%Y-%m}）", text, None, emails, fail_silently=True)
        claim_deadline_notify(
            institution=Institution.objects.get(pk=institution_id),
            month=month,
            deadline=deadline,
            overdue=kind == ClaimReminder.Kind.OVERDUE,
        )
        sent.append(
            ClaimReminder.objects.create(
                institution_id=institution_id,
                month=month,
                kind=kind,
                deadline=deadline,
                sent_on=on,
                recipients=len(emails),
            )
        )
    return sent


@transaction.atomic
def claim_submit(*, institution, month: dt.date, actor=None, now=None) -> Claim:
    """Submit (or re-submit) an institution's claim for a month; late after the policy's deadline day."""
    from django.db.models import Count, Sum
    from django.utils import timezone

    now = now or timezone.now()
    deadline = claim_deadline(month)
    totals = ServiceRecord.objects.filter(
        institution=institution, service_date__range=(month, month_end(month)), confirmed=True
    ).aggregate(n=Count("id"), s=Sum("charged_amount"))
    claim, _ = Claim.objects.update_or_create(
        institution=institution,
        month=month,
        defaults={
            "submitted_by": actor if getattr(actor, "pk", None) else None,
            "deadline": deadline,
            "late": timezone.localdate(now) > deadline,
            "record_count": totals["n"] or 0,
            "charged_total": totals["s"] or 0,
        },
    )
    return claim
