"""Explicit API input/output serializers (STYLE: one view per operation)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Agreement, Bed, Employment, Institution


class AgreementOut(serializers.ModelSerializer):
    deposit_rate = serializers.SerializerMethodField(help_text="质量保证金比例（协议约定，否则为现行政策）")

    class Meta:
        model = Agreement
        fields = [
            "id",
            "valid_from",
            "valid_to",
            "care_forms",
            "price_life",
            "price_medical",
            "insurance_expires_on",
            "deposit_rate",
            "state",
        ]

    @extend_schema_field(serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True))
    def get_deposit_rate(self, obj):
        from django.utils import timezone

        from .selectors import deposit_rate

        rate = deposit_rate(obj, on=min(max(timezone.localdate(), obj.valid_from), obj.valid_to))
        return None if rate is None else f"{rate:.4f}"


class InstitutionOut(serializers.ModelSerializer):
    agreement = serializers.SerializerMethodField()
    in_force_today = serializers.BooleanField()

    class Meta:
        model = Institution
        fields = [
            "code",
            "name",
            "type",
            "region_code",
            "credit_code",
            "address",
            "contact_name",
            "contact_phone",
            "status",
            "agreement",
            "in_force_today",
        ]

    @extend_schema_field(AgreementOut(allow_null=True))
    def get_agreement(self, obj):
        agreement = getattr(obj, "current_agreement", None)
        return AgreementOut(agreement).data if agreement else None


class BedOut(serializers.ModelSerializer):
    class Meta:
        model = Bed
        fields = ["id", "label", "registered_from", "registered_to"]


class BedIn(serializers.Serializer):
    label = serializers.CharField(max_length=30)
    registered_from = serializers.DateField()


class EmploymentOut(serializers.ModelSerializer):
    national_id = serializers.CharField(source="caregiver.national_id")
    name = serializers.CharField(source="caregiver.name")
    qualification = serializers.CharField(source="caregiver.qualification")

    class Meta:
        model = Employment
        fields = ["id", "national_id", "name", "qualification", "employed_from", "employed_to"]


class CaregiverIn(serializers.Serializer):
    national_id = serializers.CharField(max_length=18)
    name = serializers.CharField(max_length=100)
    qualification = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    employed_from = serializers.DateField()
    employed_to = serializers.DateField(required=False, allow_null=True, default=None)
    # national_id is checked by services.caregiver_employ (one message for invalid and mismatching numbers)


class BedEndIn(serializers.Serializer):
    registered_to = serializers.DateField(help_text="最后备案日（含）")


class CaregiverUpdateIn(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    qualification = serializers.CharField(max_length=200, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    employed_to = serializers.DateField(required=False, help_text="离职日期：结束本机构的任职")
