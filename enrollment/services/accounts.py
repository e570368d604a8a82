"""Personal-account events (SPEC 3.3, 11.2): balances for the yearly run, credits that recover arrears."""

from django.db import connection, transaction
from django.utils.translation import gettext as _

from ltci.core.import_fields import RowError, duplicate_message, unknown_person_message

from ..models import Person
from .arrears import recover_arrears


@transaction.atomic
def account_events_apply(parsed) -> tuple[int, int, list[RowError]]:
    errors: list[RowError] = []
    seen: dict[tuple, int] = {}
    rows = []
    for row_no, r in parsed:
        key = (r.national_id, r.event, r.amount, r.occurred_on)
        if key in seen:
            errors.append(RowError(row_no, "*", duplicate_message(seen[key])))
            continue
        seen[key] = row_no
        rows.append((row_no, r))
    persons = {
        p[0]: p[1:]
        for p in Person.objects.filter(national_id__in={r.national_id for _, r in rows}).values_list(
            "national_id", "id", "has_personal_account"
        )
    }
    valid = []
    for row_no, r in rows:
        person = persons.get(r.national_id)
        if person is None:
            errors.append(RowError(row_no, "national_id", unknown_person_message(r.national_id)))
        elif not person[1]:
            errors.append(
                RowError(
                    row_no,
                    "national_id",
                    _("该参保人没有个人账户（参保名册中 has_personal_account 为 false）"),
                )
            )
        else:
            valid.append((person[0], r))
    if not valid:
        return 0, 0, errors
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO enrollment_accountevent (person_id, event, amount, occurred_on, created_at)
               SELECT *, now() FROM unnest(%s::bigint[], %s::varchar[], %s::numeric[], %s::date[])
               ON CONFLICT ON CONSTRAINT account_event_once DO NOTHING
               RETURNING id, person_id, event, amount, occurred_on""",
            [
                [p for p, _ in valid],
                [r.event for _, r in valid],
                [r.amount for _, r in valid],
                [r.occurred_on for _, r in valid],
            ],
        )
        inserted = cursor.fetchall()
    recover_arrears({row[1] for row in inserted if row[2] == "credit"})
    return len(inserted), len(valid) - len(inserted), errors
