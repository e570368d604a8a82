"""The policy record admin with the preview of a change's effect (SPEC 2), registered by the settlement app
because only the top app sees runs, months and persons (core's admin cannot import upward), and the labels of
the apps' codes that policy keys and values hold."""

from django.contrib import admin

from assessment.models import AssessmentFee
from benefits.models import BenefitClass
from enrollment.models import Category, FamilyRelation, InsuranceType
from enrollment.regions import region_names
from institutions.models import CareForm, InstitutionType
from ltci.core.models import PolicyRecord
from ltci.core.policy_admin import PolicyRecordAdmin

from .models import ServiceRecord
from .policy_impact import policy_change_impact


class PolicyRecordWithImpactAdmin(PolicyRecordAdmin):
    def change_impact(self, *, kind, key, start, end):
        return policy_change_impact(kind=kind, key=key, start=start, end=end)

    def vocabularies(self):
        # in this order: a key's part takes the first label found (in keys, community is a care form and
        # medical a bed day's component); a value's literal, the first vocabulary holding all its codes
        return [
            dict(CareForm.choices),
            dict(BenefitClass.choices),
            dict(ServiceRecord._meta.get_field("component").choices),
            dict(InsuranceType.choices),
            dict(Category.choices),
            dict(AssessmentFee.Kind.choices),
            dict(FamilyRelation.Relation.choices),
            dict(InstitutionType.choices),
            region_names(),
            *super().vocabularies(),
        ]


admin.site.unregister(PolicyRecord)
admin.site.register(PolicyRecord, PolicyRecordWithImpactAdmin)
