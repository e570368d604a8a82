"""Apply roster rows (SPEC 3.1, 11.1) set-based: COPY into temp tables, then one statement per step.

Decisions (docs/decisions.md): the latest coverage period decides what a row means; history
rows are written for changed persons and changed periods (creations are the records themselves).
"""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ltci.core.import_fields import RowError, duplicate_message
from ltci.core.sql import copy_rows, history_insert, pg_array

from ..models import CoveragePeriod, Person

Start = CoveragePeriod.StartReason


def _existing(cursor, national_ids):
    cursor.execute("DROP TABLE IF EXISTS tmp_roster_ids")
    cursor.execute("CREATE TEMP TABLE tmp_roster_ids (national_id varchar(18)) ON COMMIT DROP")
    copy_rows("tmp_roster_ids", ["national_id"], ((n,) for n in national_ids))
    cursor.execute(
        """SELECT p.national_id, p.id, p.name, p.insurance_type, p.region_code, p.categories,
                  p.has_personal_account, p.died_on, p.village_code, cp.id, cp.insurance_type, cp.start, cp."end", cp.end_reason
           FROM tmp_roster_ids t JOIN enrollment_person p ON p.national_id = t.national_id
           LEFT JOIN LATERAL (SELECT * FROM enrollment_coverageperiod c WHERE c.person_id = p.id
                              ORDER BY c.start DESC LIMIT 1) cp ON true"""
    )
    return {r[0]: r[1:] for r in cursor.fetchall()}


def _decide(row_no, r, state, *, closes, opens, updates):
    """Return True when the row changes something; raise RowError for a contradiction."""
    (
        pid,
        name,
        itype,
        region,
        categories,
        has_acc,
        died_on,
        village,
        cp_id,
        cp_type,
        cp_start,
        cp_end,
        cp_reason,
    ) = state
    new_died = r.ended_on if r.end_reason == "died" else died_on
    new_village = r.village_code or village  # a roster without villages leaves them as they are
    person_changed = (name, itype, region, sorted(categories or []), has_acc, died_on, village) != (
        r.name,
        r.insurance_type,
        r.region_code,
        list(r.categories),
        r.has_personal_account,
        new_died,
        new_village,
    )
    open_row = None
    close_row = None
    if cp_id is None:
        open_row = (pid, r.insurance_type, r.enrolled_on, r.ended_on, Start.ENROLLED, r.end_reason)
    elif cp_end is None:
        if r.insurance_type != cp_type:
            if r.enrolled_on <= cp_start:
                raise RowError(
                    row_no,
                    "enrolled_on",
                    _("险种由 %(old)s 变为 %(new)s：参保日期应为变更日期，晚于当前参保起始日期 %(start)s")
                    % {"old": cp_type, "new": r.insurance_type, "start": cp_start.isoformat()},
                )
            close_row = (cp_id, r.enrolled_on - dt.timedelta(days=1), "")
            open_row = (pid, r.insurance_type, r.enrolled_on, r.ended_on, Start.ENROLLED, r.end_reason)
        elif r.ended_on:
            if r.ended_on < cp_start:
                raise RowError(
                    row_no,
                    "ended_on",
                    _("%(end)s 早于参保起始日期 %(start)s")
                    % {"end": r.ended_on.isoformat(), "start": cp_start.isoformat()},
                )
            close_row = (cp_id, r.ended_on, r.end_reason)
    else:
        if r.ended_on == cp_end and r.end_reason == cp_reason and r.enrolled_on <= cp_end:
            pass  # the same end again: nothing to do
        elif r.enrolled_on > cp_end:
            if died_on:
                raise RowError(
                    row_no, "enrolled_on", _("该参保人已于 %(date)s 死亡") % {"date": died_on.isoformat()}
                )
            open_row = (pid, r.insurance_type, r.enrolled_on, r.ended_on, Start.MOVED_IN, r.end_reason)
        else:
            raise RowError(
                row_no,
                "enrolled_on" if not r.ended_on else "ended_on",
                _("参保已于 %(end)s 终止（%(reason)s）；重新参保的参保日期须晚于该日")
                % {"end": cp_end.isoformat(), "reason": cp_reason or _("险种变更")},
            )
    if died_on and r.end_reason != "died" and open_row:
        raise RowError(row_no, "enrolled_on", _("该参保人已于 %(date)s 死亡") % {"date": died_on.isoformat()})
    if close_row:
        closes.append(close_row)
    if open_row:
        opens.append(open_row)
    if person_changed:
        updates.append(
            (
                pid,
                r.name,
                r.insurance_type,
                r.region_code,
                pg_array(r.categories),
                r.has_personal_account,
                new_died,
                new_village,
            )
        )
    return bool(person_changed or close_row or open_row)


@transaction.atomic
def roster_apply(parsed, *, actor=None, reason="roster import") -> tuple[int, int, list[RowError]]:
    """Create, update, end and re-open persons' coverage from roster rows. Return (applied, unchanged, errors)."""
    from django.db import connection

    errors: list[RowError] = []
    first_row: dict[str, int] = {}
    rows = []
    for row_no, r in parsed:
        if r.national_id in first_row:
            errors.append(
                RowError(
                    row_no,
                    "national_id",
                    duplicate_message(first_row[r.national_id]),
                )
            )
            continue
        first_row[r.national_id] = row_no
        rows.append((row_no, r))
    user_id = actor.pk if getattr(actor, "pk", None) else None
    now = timezone.now()
    applied = unchanged = 0
    with connection.cursor() as cursor:
        existing = _existing(cursor, [r.national_id for _, r in rows])
        new_rows = []
        closes: list[tuple[Any, ...]] = []  # rows for the temporary tables (_decide fills them)
        opens: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        for row_no, r in rows:
            state = existing.get(r.national_id)
            if state is None:
                new_rows.append(r)
                applied += 1
                continue
            try:
                changed = _decide(row_no, r, state, closes=closes, opens=opens, updates=updates)
            except RowError as err:
                errors.append(err)
                continue
            applied += changed
            unchanged += not changed
        if new_rows:
            _insert_new(cursor, new_rows, now)
        if updates:
            cursor.execute("DROP TABLE IF EXISTS tmp_roster_upd")
            cursor.execute("""CREATE TEMP TABLE tmp_roster_upd (id bigint, name varchar(100), insurance_type
                varchar(10), region_code varchar(6), categories varchar(40)[], has_personal_account boolean,
                died_on date, village_code varchar(20)) ON COMMIT DROP""")
            copy_rows(
                "tmp_roster_upd",
                [
                    "id",
                    "name",
                    "insurance_type",
                    "region_code",
                    "categories",
                    "has_personal_account",
                    "died_on",
                    "village_code",
                ],
                updates,
            )
            cursor.execute(
                """UPDATE enrollment_person p SET name = u.name, insurance_type = u.insurance_type,
                region_code = u.region_code, categories = u.categories,
                has_personal_account = u.has_personal_account, died_on = u.died_on,
                village_code = u.village_code, updated_at = %s
                FROM tmp_roster_upd u WHERE p.id = u.id""",
                [now],
            )
            history_insert(Person, "tmp_roster_upd", reason=reason, user_id=user_id)
        if closes:
            cursor.execute("DROP TABLE IF EXISTS tmp_roster_close")
            cursor.execute(
                'CREATE TEMP TABLE tmp_roster_close (id bigint, "end" date, end_reason varchar(10)) '
                "ON COMMIT DROP"
            )
            copy_rows("tmp_roster_close", ["id", "end", "end_reason"], closes)
            cursor.execute("""UPDATE enrollment_coverageperiod c SET "end" = x."end", end_reason = x.end_reason
                FROM tmp_roster_close x WHERE c.id = x.id""")
            history_insert(CoveragePeriod, "tmp_roster_close", reason=reason, user_id=user_id)
        if opens:
            cursor.execute("DROP TABLE IF EXISTS tmp_roster_open")
            cursor.execute("""CREATE TEMP TABLE tmp_roster_open (person_id bigint, insurance_type varchar(10),
                start date, "end" date, start_reason varchar(10), end_reason varchar(10)) ON COMMIT DROP""")
            copy_rows(
                "tmp_roster_open",
                ["person_id", "insurance_type", "start", "end", "start_reason", "end_reason"],
                opens,
            )
            cursor.execute("""INSERT INTO enrollment_coverageperiod (person_id, insurance_type, start, "end",
                start_reason, end_reason) SELECT person_id, insurance_type, start, "end", start_reason, end_reason
                FROM tmp_roster_open""")
    return applied, unchanged, errors


def _insert_new(cursor, new_rows, now):
    cursor.execute("DROP TABLE IF EXISTS tmp_roster_new")
    cursor.execute("""CREATE TEMP TABLE tmp_roster_new (national_id varchar(18), name varchar(100),
        birth_date date, sex varchar(1), insurance_type varchar(10), region_code varchar(6),
        categories varchar(40)[], has_personal_account boolean, enrolled_on date, ended_on date,
        end_reason varchar(10), village_code varchar(20)) ON COMMIT DROP""")
    copy_rows(
        "tmp_roster_new",
        [
            "national_id",
            "name",
            "birth_date",
            "sex",
            "insurance_type",
            "region_code",
            "categories",
            "has_personal_account",
            "enrolled_on",
            "ended_on",
            "end_reason",
            "village_code",
        ],
        (
            (
                r.national_id,
                r.name,
                r.birth_date,
                r.sex,
                r.insurance_type,
                r.region_code,
                pg_array(r.categories),
                r.has_personal_account,
                r.enrolled_on,
                r.ended_on,
                r.end_reason,
                r.village_code,
            )
            for r in new_rows
        ),
    )
    cursor.execute(
        """INSERT INTO enrollment_person (national_id, name, birth_date, sex, insurance_type,
        region_code, categories, has_personal_account, village_code, died_on, created_at, updated_at)
        SELECT national_id, name, birth_date, sex, insurance_type, region_code, categories,
               has_personal_account, village_code, CASE WHEN end_reason = 'died' THEN ended_on END, %s, %s
        FROM tmp_roster_new ON CONFLICT (national_id) DO NOTHING""",
        [now, now],
    )
    cursor.execute("""INSERT INTO enrollment_coverageperiod (person_id, insurance_type, start, "end",
        start_reason, end_reason)
        SELECT p.id, t.insurance_type, t.enrolled_on, t.ended_on, 'enrolled', t.end_reason
        FROM tmp_roster_new t JOIN enrollment_person p ON p.national_id = t.national_id""")
