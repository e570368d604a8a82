"""OpenAPI description of the hashed API tokens (ltci.core.auth), so the schema documents the header.

Loaded by InstitutionsConfig.ready(): the provider API is where tokens are issued (portal, tokens page).
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class HashedTokenScheme(OpenApiAuthenticationExtension):
    target_class = "ltci.core.auth.HashedTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "机构管理员在服务平台创建的令牌：`Authorization: Token <密钥>`",
        }
