"""OperatorIdentityProps: who counts as an operator, as the organisation's OIDC provider says (no provider
imports). The mesh checks it on every request to a service with operator routes (admin)."""

from __future__ import annotations

from dataclasses import dataclass

from marketplace_constructs.checked import checked
from marketplace_constructs.errors import ConfigError, check_pattern

HTTPS_URL = r"https://[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d{1,5})?(/[A-Za-z0-9._~/-]*)?"
CLAIM = r"[A-Za-z_][A-Za-z0-9_:-]{0,63}"


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class OperatorIdentityProps:
    """The OIDC issuer whose tokens identify operators, and the group an operator must belong to.

    Istio validates each request's ``Authorization: Bearer`` JWT at the service's sidecar (a
    RequestAuthentication): signature against the issuer's keys, ``iss``, ``aud`` and expiry; an
    AuthorizationPolicy then admits only requests that came through the ingress gateway with a valid token
    whose ``group_claim`` holds one of ``groups``. With Okta, Entra ID, Google or Keycloak, ``issuer`` is the
    ``issuer`` value of ``<issuer>/.well-known/openid-configuration`` (copy it exactly, trailing slash
    included or not), and ``audiences`` the client id of the application the operators' tool signs in to.

    Attributes:
        issuer: The ``iss`` claim of operator tokens, an https URL. Required.
        audiences: ``aud`` values accepted (the operators' client id); a token minted for another
            application is refused. At least one. Required.
        groups: Values of ``group_claim`` that make a caller an operator. At least one. Required.
        group_claim: Name of the token's claim listing the caller's groups. Default: "groups".
        jwks_uri: Where the signing keys are published; None lets istiod discover it from the issuer's
            ``/.well-known/openid-configuration``. Default: None.
    """

    issuer: str
    audiences: tuple[str, ...]
    groups: tuple[str, ...]
    group_claim: str = "groups"
    jwks_uri: str | None = None

    def __post_init__(self) -> None:
        owner = "OperatorIdentityProps"
        for field_name in ("issuer", "jwks_uri"):
            value = getattr(self, field_name)
            if value is not None:
                check_pattern(
                    owner, field_name, value, HTTPS_URL, "an https URL such as 'https://sso.example.com'"
                )
        for field_name in ("audiences", "groups"):
            values = getattr(self, field_name)
            if not values or not all(values):
                raise ConfigError(
                    f"{owner}.{field_name} must name at least one non-empty value, got {values!r}; an empty "
                    "list would admit any token"
                )
        check_pattern(owner, "group_claim", self.group_claim, CLAIM, "a JWT claim name such as 'groups'")
