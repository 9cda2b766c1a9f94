"""ConfigError and the token-aware checks that props and environment configs use to reject bad input."""

from __future__ import annotations

import importlib
import ipaddress
import re
import traceback
from collections.abc import Iterable
from types import ModuleType
from typing import Final


class ConfigError(ValueError):
    """Invalid props or environment config; raised at synth time, before any resource exists."""


def is_known(*values: object) -> bool:
    """True when no value is an unresolved cdktf token (tokens resolve only at apply, so checks skip them)."""
    return not any(_is_token(value) for value in values)


def _is_token(value: object) -> bool:
    """Strings, lists and ints are decided here, without a round trip to the jsii runtime: string and list
    tokens carry ``TfToken[`` in their text, and number tokens are floats (bool is an int, never a token)."""
    if isinstance(value, str):
        return "TfToken[" in value
    if isinstance(value, (list, tuple)):
        return any(_is_token(item) for item in value)
    if isinstance(value, int):
        return False
    from cdktf import Token  # here, not at the top: checking a configuration need not start jsii

    return bool(Token.is_unresolved(value))


def check_range(owner: str, field: str, value: int, low: int, high: int, unit: str = "") -> None:
    """Reject ``value`` outside ``[low, high]``."""
    if is_known(value) and not low <= value <= high:
        raise ConfigError(f"{owner}.{field} must be between {low} and {high}{unit}, got {value}")


def check_one_of(owner: str, field: str, value: object, allowed: Iterable[object]) -> None:
    """Reject ``value`` unless it is one of ``allowed`` (listed in the message)."""
    choices = tuple(allowed)
    if is_known(value) and value not in choices:
        listed = ", ".join(repr(choice) for choice in choices)
        raise ConfigError(f"{owner}.{field} must be one of {listed}, got {value!r}")


def check_pattern(owner: str, field: str, value: str, pattern: str, rule: str) -> None:
    """Reject ``value`` that does not fully match ``pattern``; ``rule`` says in words what is allowed."""
    if is_known(value) and not re.fullmatch(pattern, value):
        raise ConfigError(f"{owner}.{field} must be {rule}, got {value!r}")


def check_dns_label(owner: str, field: str, value: str) -> None:
    """Reject anything but a DNS-1123 label (lower-case alphanumerics and '-', at most 63 characters)."""
    check_pattern(
        owner,
        field,
        value,
        r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?",
        "a DNS-1123 label (a-z, 0-9, '-', <= 63 chars)",
    )


RFC1918: Final = tuple(
    ipaddress.IPv4Network(block) for block in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
)


def is_rfc1918(network: ipaddress.IPv4Network) -> bool:
    """True inside 10/8, 172.16/12 or 192.168/16 (``is_private`` also admits documentation and benchmark
    ranges, which no VPC can use)."""
    return any(network.subnet_of(block) for block in RFC1918)


def _parse_network(owner: str, field: str, value: str, shape: str, example: str) -> ipaddress.IPv4Network:
    """``value`` as an IPv4 network, or ConfigError saying the field ``shape`` (e.g. "be an IPv4 network")."""
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except ValueError as err:
        raise ConfigError(
            f"{owner}.{field} must {shape} in CIDR notation such as {example!r}, got {value!r} ({err})"
        ) from None


def parse_private_cidr(
    owner: str, field: str, value: str, prefix: int, smallest: int | None = None
) -> ipaddress.IPv4Network:
    """Parse ``value`` as an RFC 1918 IPv4 network of ``/prefix`` (up to ``/smallest`` when given), or raise
    ConfigError."""
    network = _parse_network(owner, field, value, "be an IPv4 network", f"10.10.0.0/{prefix}")
    if not prefix <= network.prefixlen <= (smallest or prefix):
        sizes = f"/{prefix} to /{smallest}" if smallest else f"/{prefix}"
        raise ConfigError(f"{owner}.{field} must be a {sizes} network, got {value!r}")
    if not is_rfc1918(network):
        raise ConfigError(
            f"{owner}.{field} must be a private (RFC 1918) range inside 10.0.0.0/8, 172.16.0.0/12 or "
            f"192.168.0.0/16, got {value!r}"
        )
    return network


def parse_inner_cidr(owner: str, field: str, value: str) -> ipaddress.IPv4Network:
    """Parse ``value`` as a private (RFC 1918) IPv4 range of any size; never 0.0.0.0/0 or a public range.
    Callers that know the VPC check containment themselves."""
    network = _parse_network(owner, field, value, "hold IPv4 networks", "10.10.0.0/18")
    if not is_rfc1918(network):
        raise ConfigError(f"{owner}.{field} must hold private ranges inside the VPC, got {value!r}")
    return network


def import_configuration(module: str, where: str) -> ModuleType:
    """Import the configuration module ``module`` (written by people, as ``where``); a syntax error in it, or
    an exception its own code raises (a misspelt name, a wrong call), is a ConfigError naming the file, the
    line and Python's message, rather than a traceback. ConfigErrors pass through as they are."""
    try:
        return importlib.import_module(module)
    except ConfigError:
        raise
    except SyntaxError as err:
        raise ConfigError(f"{where}:{err.lineno}: {err.msg} (Python syntax)") from None
    except Exception as err:
        frames = [f for f in traceback.extract_tb(err.__traceback__) if f.filename.endswith(where)]
        line = f":{frames[-1].lineno}" if frames else ""
        raise ConfigError(f"{where}{line}: {type(err).__name__}: {err}") from None
