"""Beds, caregivers (with certificates and training) and portal users of an institution."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ltci.core.auth import INSURED_USERNAME_PREFIX, is_reserved_username
from ltci.core.idnumber import InvalidIdNumber, parse_id_number

from .. import rules
from ..errors import InstitutionError
from ..models import (
    Bed,
    Caregiver,
    CaregiverCertificate,
    CaregiverTraining,
    Employment,
    Institution,
    InstitutionUser,
)
from ..selectors import bed_queryset, occupied_bed_counts


def _registered_on(institution, on):
    return bed_queryset(institution=institution, on=on)


@transaction.atomic
def bed_add(*, institution: Institution, label: str, registered_from: dt.date, actor=None) -> Bed:
    label = (label or "").strip()
    if not label:
        raise InstitutionError(_("请填写床位号"), field="label")
    if Bed.objects.filter(institution=institution, label=label).exists():
        raise InstitutionError(_("床位号“%(label)s”已存在") % {"label": label}, field="label")
    return Bed.objects.create(institution=institution, label=label, registered_from=registered_from)


def bed_end_error(*, bed: Bed, registered_to: dt.date) -> str | None:
    """Why the bed's registration cannot end after `registered_to` (portal, API and admin), or None."""
    if registered_to < bed.registered_from:
        return _("撤销日期%(registered_to)s早于备案日期%(registered_from)s") % {
            "registered_to": registered_to,
            "registered_from": bed.registered_from,
        }
    day_after = registered_to + dt.timedelta(days=1)
    registered = _registered_on(bed.institution, day_after).exclude(pk=bed.pk).count()
    occupied = occupied_bed_counts(institution_ids=[bed.institution_id], on=day_after).get(
        bed.institution_id, 0
    )
    if registered < occupied:
        return _("撤销后备案床位%(registered)s张，少于%(day_after)s在住人数%(occupied)s人") % {
            "registered": registered,
            "day_after": day_after,
            "occupied": occupied,
        }
    return None


@transaction.atomic
def bed_end(*, bed: Bed, registered_to: dt.date, actor=None) -> Bed:
    """End a bed's registration (撤销备案) after `registered_to`; refused while it is occupied then."""
    bed = Bed.objects.select_for_update().get(pk=bed.pk)
    if bed.registered_to is not None:
        raise InstitutionError(
            _("床位“%(label)s”已于%(registered_to)s撤销")
            % {"label": bed.label, "registered_to": bed.registered_to},
            field="registered_to",
        )
    error = bed_end_error(bed=bed, registered_to=registered_to)
    if error:
        raise InstitutionError(error, field="registered_to")
    bed.registered_to = registered_to
    bed.save(update_fields=["registered_to"])
    return bed


@transaction.atomic
def beds_set_count(*, institution: Institution, count: int, on: dt.date) -> tuple[int, int]:
    """Make `count` beds registered from `on` (imports): add numbered beds, or end the highest-numbered.

    Return (added, ended). Lowering below the beds occupied on `on` is refused.
    """
    if count < 0:
        raise InstitutionError(_("床位数不能为负数"), field="beds")
    current = list(_registered_on(institution, on).order_by("label"))
    if len(current) == count:
        return 0, 0
    if count < len(current):
        occupied = occupied_bed_counts(institution_ids=[institution.pk], on=on).get(institution.pk, 0)
        if count < occupied:
            raise InstitutionError(
                _("床位数%(count)s少于在住人数%(occupied)s") % {"count": count, "occupied": occupied},
                field="beds",
            )
        ended = 0
        for bed in sorted(current, key=lambda b: b.label, reverse=True)[: len(current) - count]:
            if bed.registered_from >= on:
                try:
                    bed.delete()  # registered today and never used: withdrawing it leaves no trace
                except ProtectedError:
                    raise InstitutionError(
                        _("床位“%(label)s”已有入住记录，不能撤销") % {"label": bed.label}, field="beds"
                    ) from None
            else:
                bed.registered_to = on - dt.timedelta(days=1)
                bed.save(update_fields=["registered_to"])
            ended += 1
        return 0, ended
    labels = set(Bed.objects.filter(institution=institution).values_list("label", flat=True))
    added, n = 0, 1
    while added < count - len(current):
        label = rules.bed_labels(1, start=n)[0]
        n += 1
        if label in labels:
            continue
        Bed.objects.create(institution=institution, label=label, registered_from=on)
        added += 1
    return added, 0


CAREGIVER_ID_OR_NAME = gettext_lazy(
    "公民身份号码无效或与姓名不符，请核对；如需更正已登记的信息请联系经办机构"
)


@transaction.atomic
def caregiver_employ(
    *,
    institution: Institution,
    national_id: str,
    name: str,
    employed_from: dt.date,
    employed_to: dt.date | None = None,
    qualification: str = "",
    phone: str = "",
    actor=None,
) -> Employment:
    """Register a caregiver (found or created by national ID) as employed by the institution.

    The caregiver record is shared by every employer: an ID number that is invalid or does not match the stored
    name gets one message (it must not tell another institution that the number is on record), and the
    qualification and phone given are recorded only while no other institution employs the caregiver.
    """
    try:
        number = parse_id_number(national_id).number
    except InvalidIdNumber:
        raise InstitutionError(CAREGIVER_ID_OR_NAME, field="national_id") from None
    if not (name or "").strip():
        raise InstitutionError(_("请填写姓名"), field="name")
    if employed_to is not None and employed_to < employed_from:
        raise InstitutionError(
            _("离职日期%(employed_to)s早于入职日期%(employed_from)s")
            % {"employed_to": employed_to, "employed_from": employed_from},
            field="employed_to",
        )
    caregiver, created = Caregiver.objects.get_or_create(
        national_id=number, defaults={"name": name.strip(), "qualification": qualification, "phone": phone}
    )
    if not created and caregiver.name != name.strip():
        raise InstitutionError(CAREGIVER_ID_OR_NAME, field="national_id")
    if not created and not _employed_elsewhere(caregiver, institution, timezone.localdate()):
        changed = {
            k: v
            for k, v in {"qualification": qualification, "phone": phone}.items()
            if v and getattr(caregiver, k) != v
        }
        for k, v in changed.items():
            setattr(caregiver, k, v)
        if changed:
            caregiver.save()
    overlapping = Employment.objects.overlapping(employed_from, employed_to).filter(
        caregiver=caregiver, institution=institution
    )
    if overlapping.exists():
        raise InstitutionError(
            _("%(name)s在本机构的任职期间与已有记录重叠") % {"name": caregiver.name}, field="employed_from"
        )
    try:
        with transaction.atomic():
            return Employment.objects.create(
                caregiver=caregiver,
                institution=institution,
                employed_from=employed_from,
                employed_to=employed_to,
            )
    except IntegrityError:
        raise InstitutionError(_("任职期间与已有记录重叠"), field="employed_from") from None


def _employed_elsewhere(caregiver: Caregiver, institution: Institution, on: dt.date) -> bool:
    return (
        Employment.objects.overlapping(on, None)
        .filter(caregiver=caregiver)
        .exclude(institution=institution)
        .exists()
    )


@transaction.atomic
def caregiver_update(
    *,
    caregiver: Caregiver,
    name: str,
    qualification: str = "",
    phone: str = "",
    institution: Institution | None = None,
    actor=None,
) -> Caregiver:
    """Correct a caregiver's record; `institution` is the portal/API caller, whose rights are limited.

    The record is shared by all employers: an institution may not change a caregiver another institution
    (still) employs (name, qualification, phone: the office corrects them), and one that no longer employs the
    caregiver may not change the record at all while another does. Staff (institution=None) may.
    """
    if not (name or "").strip():
        raise InstitutionError(_("请填写姓名"), field="name")
    if institution is not None:
        today = timezone.localdate()
        elsewhere = _employed_elsewhere(caregiver, institution, today)
        own_current = (
            Employment.objects.overlapping(today, None)
            .filter(caregiver=caregiver, institution=institution)
            .exists()
        )
        if elsewhere and not own_current:
            raise InstitutionError(_("该护理人员已在本机构离职并在其他机构任职，不能修改其信息"))
        if elsewhere and name.strip() != caregiver.name:
            raise InstitutionError(_("该护理人员同时在其他机构任职，姓名更正请联系经办机构"), field="name")
        if elsewhere and (qualification, phone) != (caregiver.qualification, caregiver.phone):
            raise InstitutionError(
                _("该护理人员同时在其他机构任职，资质和电话的更正请联系经办机构"), field="qualification"
            )
    caregiver.name, caregiver.qualification, caregiver.phone = name.strip(), qualification, phone
    caregiver.save()
    return caregiver


@transaction.atomic
def employment_end(*, employment: Employment, employed_to: dt.date, actor=None) -> Employment:
    employment = Employment.objects.select_for_update().get(pk=employment.pk)
    if employed_to < employment.employed_from:
        raise InstitutionError(
            _("离职日期%(employed_to)s早于入职日期%(employed_from)s")
            % {"employed_to": employed_to, "employed_from": employment.employed_from},
            field="employed_to",
        )
    if employment.employed_to is not None and employment.employed_to < employed_to:
        raise InstitutionError(
            _("该任职已于%(employed_to)s结束") % {"employed_to": employment.employed_to}, field="employed_to"
        )
    employment.employed_to = employed_to
    employment.save(update_fields=["employed_to"])
    return employment


def _check_current_employer(caregiver: Caregiver, institution: Institution | None) -> None:
    """Portal/API callers record a caregiver's certificates and training only while employing them."""
    if institution is None:
        return
    today = timezone.localdate()
    if (
        not Employment.objects.overlapping(today, None)
        .filter(caregiver=caregiver, institution=institution)
        .exists()
    ):
        raise InstitutionError(_("该护理人员已不在本机构任职，不能登记证书或培训"))


@transaction.atomic
def caregiver_certificate_add(
    *,
    caregiver: Caregiver,
    name: str,
    number: str = "",
    issued_on=None,
    expires_on=None,
    institution: Institution | None = None,
    actor=None,
) -> CaregiverCertificate:
    _check_current_employer(caregiver, institution)
    if not (name or "").strip():
        raise InstitutionError(_("请填写证书名称"), field="name")
    if issued_on and expires_on and expires_on < issued_on:
        raise InstitutionError(_("证书有效期早于发证日期"), field="expires_on")
    return CaregiverCertificate.objects.create(
        caregiver=caregiver, name=name.strip(), number=number, issued_on=issued_on, expires_on=expires_on
    )


@transaction.atomic
def caregiver_training_add(
    *,
    caregiver: Caregiver,
    course: str,
    completed_on,
    hours=0,
    passed: bool = True,
    institution: Institution | None = None,
    actor=None,
) -> CaregiverTraining:
    _check_current_employer(caregiver, institution)
    if not (course or "").strip():
        raise InstitutionError(_("请填写培训课程"), field="course")
    if hours is None or hours < 0:
        raise InstitutionError(_("学时不能为负数"), field="hours")
    if completed_on > timezone.localdate():
        raise InstitutionError(
            _("完成日期%(completed_on)s晚于今天") % {"completed_on": completed_on}, field="completed_on"
        )
    return CaregiverTraining.objects.create(
        caregiver=caregiver, course=course.strip(), completed_on=completed_on, hours=hours, passed=passed
    )


@transaction.atomic
def institution_user_create(
    *, institution: Institution, username: str, password: str, role: str, name: str = "", actor=None
) -> InstitutionUser:
    """Create a portal login for the institution (institution administrators and staff do this)."""
    User = get_user_model()
    username = (username or "").strip()
    if not username:
        raise InstitutionError(_("请填写用户名"), field="username")
    if role not in InstitutionUser.Role.values:
        raise InstitutionError(_("未知的角色：%(role)s") % {"role": role}, field="role")
    if role == InstitutionUser.Role.ASSESSOR and institution.type != "assessment_agency":
        raise InstitutionError(_("只有评估机构可以设置评估员"), field="role")
    if is_reserved_username(username):
        raise InstitutionError(
            _("以“%(prefix)s”开头的用户名留给参保人查询账户，请换一个用户名")
            % {"prefix": INSURED_USERNAME_PREFIX},
            field="username",
        )
    if User.objects.filter(username__iexact=username).exists():
        raise InstitutionError(_("用户名“%(username)s”已被使用") % {"username": username}, field="username")
    try:
        validate_password(password)
    except ValidationError as exc:
        raise InstitutionError(_("密码不符合要求：") + "；".join(exc.messages), field="password") from None
    user = User.objects.create_user(username=username, password=password, first_name=name[:150])
    return InstitutionUser.objects.create(user=user, institution=institution, role=role)


def _other_active_admins(link: InstitutionUser) -> bool:
    return (
        InstitutionUser.objects.filter(
            institution_id=link.institution_id, role=InstitutionUser.Role.ADMIN, user__is_active=True
        )
        .exclude(pk=link.pk)
        .exists()
    )


@transaction.atomic
def institution_user_set_role(*, link: InstitutionUser, role: str, actor=None) -> InstitutionUser:
    if role not in InstitutionUser.Role.values:
        raise InstitutionError(_("未知的角色：%(role)s") % {"role": role}, field="role")
    if role == InstitutionUser.Role.ASSESSOR and link.institution.type != "assessment_agency":
        raise InstitutionError(_("只有评估机构可以设置评估员"), field="role")
    if link.role == InstitutionUser.Role.ADMIN and role != link.role and not _other_active_admins(link):
        raise InstitutionError(_("机构至少需要一名管理员"), field="role")
    link.role = role
    link.save(update_fields=["role"])
    return link


@transaction.atomic
def institution_user_deactivate(*, link: InstitutionUser, actor=None) -> InstitutionUser:
    """Disable a portal login (kept for the audit trail) and revoke its API tokens."""
    from ltci.core.auth import token_revoke

    if link.role == InstitutionUser.Role.ADMIN and not _other_active_admins(link):
        raise InstitutionError(_("不能停用机构的最后一名管理员"))
    if getattr(actor, "pk", None) == link.user_id:
        raise InstitutionError(_("不能停用自己的账号"))
    link.user.is_active = False
    link.user.save(update_fields=["is_active"])
    for token in link.user.api_tokens.filter(revoked_at__isnull=True):
        token_revoke(token=token)
    return link
