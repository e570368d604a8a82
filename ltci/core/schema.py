"""OpenAPI schema conventions (drf-spectacular): every operation documents its error responses.

ApiSchema is REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS. After drf-spectacular has built an operation it adds
the errors any /api/v1/ endpoint can answer, all in the one format of ltci.core.api.exception_handler:
401 (no or bad credentials), 403 (role), 429 (throttled, with Retry-After), 400 when the operation takes
a body or query parameters, 404 when its path names an object. Views document only their own extras.
"""

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="稳定的错误代码，如 invalid、not_authenticated、not_found、throttled"
    )
    message = serializers.CharField(help_text="错误说明（按请求语言）")
    # Documents the error body only (never validated), so the field may shadow Serializer.errors.
    errors = serializers.JSONField(  # type: ignore[assignment]
        required=False, help_text="输入错误：按字段（批量记录按序号）列出的原因"
    )


ERRORS = {
    "400": "输入有误（errors 按字段列出原因）",
    "401": "未登录或令牌无效",
    "403": "无权访问（角色或机构类型不符）",
    "404": "对象不存在或不属于本机构",
    "429": "请求过于频繁，请在 Retry-After 秒后重试",
}


class ApiSchema(AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None or not path.startswith("/api/v1/"):
            return operation
        codes = ["401", "403", "429"]
        if method.upper() in ("POST", "PUT", "PATCH") or any(
            p["in"] == "query" for p in operation.get("parameters", [])
        ):
            codes.append("400")
        if "{" in path:
            codes.append("404")
        error = self.resolve_serializer(ErrorSerializer, "response").ref
        for code in sorted(codes):
            response = operation["responses"].setdefault(code, {"description": ERRORS[code]})
            response.setdefault("content", {"application/json": {"schema": error}})
        operation["responses"]["429"]["headers"] = {
            "Retry-After": {"schema": {"type": "integer"}, "description": "可重试前等待的秒数"}
        }
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path" and parameter["schema"].get("type") == "integer":
                parameter["schema"]["minimum"] = 0  # Django's <int:...> matches digits only
        return operation
