"""Demo institutions (idempotent): ~30 across the Xuzhou regions, all types, with agreements, beds,
caregivers; XZ0007 suspended for a violation; XZ0011's liability insurance expires in 20 days."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from ltci.core.demo import DEMO_PASSWORD
from ltci.core.idnumber import make_id_number

from . import services
from .models import Institution, InstitutionUser
from .rules import make_credit_code

REGIONS = ["320302", "320303", "320305", "320311", "320312", "320321", "320322", "320324", "320381", "320382"]
REGION_NAMES = {
    "320302": "鼓楼",
    "320303": "云龙",
    "320305": "贾汪",
    "320311": "泉山",
    "320312": "铜山",
    "320321": "丰县",
    "320322": "沛县",
    "320324": "睢宁",
    "320381": "新沂",
    "320382": "邳州",
}
# (type, name suffix, care forms, beds)
KINDS = [
    ("elderly_care", "颐养院", ["residential"], 40),
    ("medical", "护理院", ["residential"], 30),
    ("home_care", "居家护理服务有限公司", ["home_visits", "home_family"], 0),
    ("community", "社区养老服务中心", ["home_visits", "community"], 0),
    ("elderly_care", "福寿养老中心", ["residential"], 60),
    ("assessment_agency", "失能评估中心", [], 0),
    ("medical", "医院长期护理病区", ["residential"], 20),
    ("device_provider", "康复辅具服务站", ["device"], 0),
]
COUNT = 30
SUSPENDED = "XZ0007"
INSURANCE_SOON = "XZ0011"
LOGINS = [("inst_residential", "XZ0001"), ("inst_homecare", "XZ0003"), ("inst_agency", "XZ0006")]
CAREGIVER_NAMES = [
    "王秀英",
    "李桂兰",
    "张丽",
    "刘芳",
    "陈静",
    "杨敏",
    "赵红",
    "黄梅",
    "周燕",
    "吴霞",
    "徐兰",
    "孙娟",
]


def _code(n: int) -> str:
    return f"XZ{n:04d}"


def seed(*, persons, rng, stdout):
    if Institution.objects.filter(code=_code(1)).exists():
        stdout.write("institutions: demo data already present")
        return
    today = timezone.localdate()
    start = dt.date(today.year - 1, 1, 1)
    end = dt.date(today.year + 2, 12, 31)
    created = []
    for n in range(1, COUNT + 1):
        kind, suffix, forms, beds = KINDS[(n - 1) % len(KINDS)]
        region = REGIONS[(n - 1) % len(REGIONS)]
        inst = Institution.objects.create(
            code=_code(n),
            name=f"徐州市{REGION_NAMES[region]}{suffix}" + (f"{n}" if n > len(KINDS) else ""),
            type=kind,
            region_code=region,
            credit_code=make_credit_code(region, 1000 + n),
            address=f"徐州市{REGION_NAMES[region]}区（县）幸福路{n}号",
            contact_name="联系人",
            contact_phone=f"0516-8{n:07d}",
            bank_name="中国工商银行徐州分行",
            bank_account=f"1106{n:012d}",
        )
        if n % 10 == 0:  # a few still in the admission pipeline
            services.institution_submit_review(institution=inst, actor=None, reason="提交准入申请", on=today)
            continue
        services.institution_submit_review(institution=inst, actor=None, reason="提交准入申请", on=start)
        services.institution_pass_review(institution=inst, actor=None, reason="资格审核通过", on=start)
        insurance = today + dt.timedelta(days=20) if inst.code == INSURANCE_SOON else end
        price = Decimal("55.00") if kind in ("elderly_care", "medical") and n % 3 == 0 else None
        services.agreement_sign(
            institution=inst,
            valid_from=start,
            valid_to=end,
            care_forms=forms,
            insurance_expires_on=insurance,
            price_life=price,
            actor=None,
            reason="现场评估合格，签订服务协议",
            on=start,
            deposit_rate=Decimal("0.05"),
        )
        if beds:
            services.beds_set_count(institution=inst, count=beds + rng.randint(0, 10), on=start)
        if kind not in ("assessment_agency", "device_provider"):
            for k in range(rng.randint(3, 6)):
                birth = dt.date(1965 + rng.randint(0, 30), rng.randint(1, 12), rng.randint(1, 28))
                services.caregiver_employ(
                    institution=inst,
                    national_id=make_id_number(region, birth, (n * 10 + k) % 1000),
                    name=CAREGIVER_NAMES[(n + k) % len(CAREGIVER_NAMES)],
                    qualification="养老护理员（四级）",
                    employed_from=start + dt.timedelta(days=rng.randint(0, 200)),
                )
        created.append(inst)
    suspended = Institution.objects.get(code=SUSPENDED)
    services.violation_record(
        institution=suspended,
        type="false_records",
        found_on=today - dt.timedelta(days=5),
        description="抽查发现虚构上门服务记录12条",
        amount_to_recover=Decimal("3600.00"),
        penalty=Decimal("1000.00"),
        action="suspension",
        actor=None,
    )
    services.insurance_check(on=today)
    for inst in created[:5]:
        services.appraisal_record(
            institution=inst,
            year=today.year - 1,
            actor=None,
            scores=[
                ("服务质量", Decimal(40), Decimal(rng.randint(28, 40))),
                ("管理规范", Decimal(30), Decimal(rng.randint(20, 30))),
                ("满意度", Decimal(30), Decimal(rng.randint(18, 30))),
            ],
        )
    User = get_user_model()
    for username, code in LOGINS:
        if not User.objects.filter(username=username).exists():
            services.institution_user_create(
                institution=Institution.objects.get(code=code),
                username=username,
                password=DEMO_PASSWORD,
                role=InstitutionUser.Role.ADMIN,
                name="演示管理员",
            )
    stdout.write(
        f"institutions: {COUNT} institutions, {SUSPENDED} suspended, {INSURANCE_SOON} insurance expiring"
    )


def login_lines(base_url: str) -> list[str]:
    names = dict(Institution.objects.filter(code__in=[c for _, c in LOGINS]).values_list("code", "name"))
    return [
        f"{base_url}/portal/   user '{u}' ({names.get(c, c)}), password '{DEMO_PASSWORD}'" for u, c in LOGINS
    ]
