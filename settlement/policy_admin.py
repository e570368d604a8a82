"""The policy record admin with the preview of a change's effect (SPEC 2), registered by the settlement app
because only the top app sees runs, months and persons (core's admin cannot import upward)."""

from django.contrib import admin

from ltci.core.models import PolicyRecord
from ltci.core.policy_admin import PolicyRecordAdmin

from .policy_impact import policy_change_impact


class PolicyRecordWithImpactAdmin(PolicyRecordAdmin):
    def change_impact(self, *, kind, key, start, end):
        return policy_change_impact(kind=kind, key=key, start=start, end=end)


admin.site.unregister(PolicyRecord)
admin.site.register(PolicyRecord, PolicyRecordWithImpactAdmin)
