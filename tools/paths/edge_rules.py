"""The AWS hops of the request path: Route 53, the ALB and its security groups, the HTTPS listener, the
certificate and its validation, the target group, and the TargetGroupBinding that fills it."""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any, Final

from tools.paths.model import Hop, hop, unproved
from tools.paths.view import REFERENCE, EnvView, Obj, Ref

# ELB policies that negotiate TLS 1.3 (marketplace_constructs.edge.props.TLS_POLICIES' family).
TLS13_POLICY: Final = re.compile(r"ELBSecurityPolicy-TLS13-")
VALIDATED_NAME: Final = re.compile(r'o\.domain_name == ("(?:[^"\\]|\\.)*")')
OPTIONS: Final = re.compile(r"aws_acm_certificate\.([\w-]+)\.domain_validation_options")


def _first(view: EnvView, layer: str, resource_type: str, test: Any) -> tuple[str, dict[str, Any]] | None:
    for name, resource in view.resources(layer, resource_type).items():
        if test(view.resolve(layer, resource)):
            return name, resource
    return None


def certificate_names(view: EnvView) -> list[str]:
    """Every name on the environment's edge certificates (domain and alternative names)."""
    names: list[str] = []
    for cert in view.resources("foundation", "aws_acm_certificate").values():
        names += [cert["domain_name"], *cert.get("subject_alternative_names", [])]
    return names


def dns_record(view: EnvView, host: str, before: EnvView | None = None) -> Hop:
    """Route 53 answers ``host`` with an alias A record to this environment's ALB, in the environment's
    zone or, for a primary's name a standby serves, as the SECONDARY of the failover pair in the primary's
    zone. A record the stack forgets (a ``removed`` block with ``destroy = false``, after a failover) still
    answers: Terraform leaves it in Route 53 (Terraform docs, "removed block"); ``before`` is the same
    environment in its previous role, whose synthesis shows which record that address was."""
    found = _first(
        view, "foundation", "aws_route53_record", lambda r: r.get("name") == host and r.get("type") == "A"
    )
    if found:
        name, record = found
        alias = view.resolve("foundation", record.get("alias", {}))
        target = alias.get("name")
        role = record.get("failover_routing_policy", {}).get("type", "simple")
        ok = (
            isinstance(target, Ref)
            and target.address.startswith("aws_lb.")
            and target.attribute == "dns_name"
        )
        return hop(
            "dns record",
            ok,
            f"{view.stack('foundation')}:aws_route53_record.{name} {host} A alias -> {target} ({role})",
            found=target,
        )
    if before is not None:
        for address in view.removed("foundation"):
            resource_type, name = address.split(".", 1)
            kept = before.resources("foundation", resource_type).get(name)
            if resource_type == "aws_route53_record" and kept and kept.get("name") == host:
                lbs = list(view.resources("foundation", "aws_lb"))
                target = Ref(view.stack("foundation"), f"aws_lb.{lbs[0]}", "dns_name") if lbs else None
                return hop(
                    "dns record",
                    target is not None,
                    f"{address} kept in Route 53 (removed, destroy = false): created by {before.env}'s "
                    f"previous role as {kept.get('failover_routing_policy', {}).get('type')} alias of "
                    "this ALB",
                    found=target,
                )
    return hop("dns record", False, f"no A record for {host} in {view.stack('foundation')}")


def delegation(view: EnvView) -> Hop:
    return unproved(
        "zone delegation",
        "the parent domain's NS and DS records (outputs edge_name_servers, edge_ds_record) live outside "
        "the project",
    )


def load_balancer(view: EnvView, target: Ref) -> Hop:
    """An internet-facing Application Load Balancer; its security groups admit 443 from anywhere."""
    lb = view.resource(target)
    if lb is None:
        return hop("load balancer", False, f"{target}: no such resource")
    lb = view.resolve("foundation", lb)
    groups = [group for group in lb.get("security_groups", []) if isinstance(group, Ref)]
    open_443 = [
        name
        for name, rule in view.resources("foundation", "aws_vpc_security_group_ingress_rule").items()
        if view.resolve("foundation", rule["security_group_id"]) in groups
        and rule.get("cidr_ipv4") == "0.0.0.0/0"
        and rule.get("from_port", 0) <= 443 <= rule.get("to_port", -1)
    ]
    ok = lb.get("internal") is False and lb.get("load_balancer_type") == "application" and bool(open_443)
    return hop(
        "load balancer",
        ok,
        f"{target.stack}:{target.address} internet-facing application; 443 from 0.0.0.0/0 by "
        f"{open_443 or 'no rule'}",
        found=(target, groups),
    )


def https_listener(view: EnvView, lb: Ref) -> Hop:
    """A listener on 443, HTTPS, with a TLS 1.3 policy and a certificate that waits for its validation."""
    lb_arn = Ref(lb.stack, lb.address, "arn")
    for name, listener in view.resources("foundation", "aws_lb_listener").items():
        resolved = view.resolve("foundation", listener)
        if resolved["load_balancer_arn"] != lb_arn or resolved.get("port") != 443:
            continue
        policy = resolved.get("ssl_policy", "")
        ok = resolved.get("protocol") == "HTTPS" and bool(TLS13_POLICY.match(policy))
        return hop(
            "https listener",
            ok,
            f"aws_lb_listener.{name} :443 {resolved.get('protocol')} {policy} certificate "
            f"{resolved.get('certificate_arn')}",
            found=(name, resolved),
        )
    return hop("https listener", False, f"no listener on 443 of {lb}")


def certificate(view: EnvView, listener: tuple[str, dict[str, Any]], host: str) -> Hop:
    """The listener's certificate names ``host``, and the listener takes its ARN from the certificate's
    validation, so it is created only once the certificate is issued."""
    name, _ = listener
    raw = view.resources("foundation", "aws_lb_listener")[name].get("certificate_arn", "")
    reference = REFERENCE.fullmatch(str(raw))
    holder = None
    if reference and reference.group(1) == "aws_acm_certificate_validation":
        holder = view.resources("foundation", reference.group(1)).get(reference.group(2))
    arn = view.resolve("foundation", raw)
    cert = (
        view.resource(arn)
        if isinstance(arn, Ref) and arn.address.startswith("aws_acm_certificate.")
        else None
    )
    if cert is None:
        return hop("certificate", False, f"certificate_arn {raw!r} is no certificate of this stack")
    names = [cert["domain_name"], *cert.get("subject_alternative_names", [])]
    return hop("certificate", host in names, f"{arn.address} names {names}", found=(arn, cert, holder))


def validation(
    view: EnvView, found: tuple[Ref, dict[str, Any], dict[str, Any] | None], primary: EnvView | None
) -> Hop:
    """Every name on the certificate has its DNS validation record listed, and the record exists: the
    provider refuses a validation whose list misses a name's record ("missing ... DNS validation record",
    internal/service/acm/certificate_validation.go). A name of this zone needs a record here; a primary's
    name is validated by the record its own stack keeps for its own certificate, since ACM asks the same
    record of a domain name for every certificate of the account."""
    arn, cert, holder = found
    names = [cert["domain_name"], *cert.get("subject_alternative_names", [])]
    if holder is None:
        return hop(
            "certificate validation", False, f"{arn.address}: the listener does not wait for validation"
        )
    listed: set[str] = set()
    for fqdn in holder.get("validation_record_fqdns", []):
        value = view.resolve("foundation", fqdn)
        text = str(value)
        if isinstance(value, Ref) and value.address.startswith("aws_route53_record."):
            record = view.resource(value)
            text = str(record.get("name", "")) if record else ""
        listed |= validated_names(view, text)
    records = _validation_records(view)
    if primary is not None and primary.present:
        records.update(
            {name: where for name, where in _validation_records(primary).items() if name not in records}
        )
    missing = [name for name in names if name not in listed or name not in records]
    where = {name: records.get(name, "none") for name in names}
    return hop(
        "certificate validation",
        not missing,
        f"records {where}" + (f"; missing {missing}" if missing else ""),
    )


def validated_names(view: EnvView, text: str) -> set[str]:
    """The domain names whose validation record ``text`` (a record's name expression) selects from a
    certificate's ``domain_validation_options``: the name it filters on, or, unfiltered (``one(...)``),
    the certificate's only name."""
    names = {json.loads(name) for name in VALIDATED_NAME.findall(text)}
    if names:
        return names
    for certificate in OPTIONS.findall(text):
        cert = view.resources("foundation", "aws_acm_certificate").get(certificate, {})
        if cert and not cert.get("subject_alternative_names"):
            names.add(cert["domain_name"])
    return names


def _validation_records(view: EnvView) -> dict[str, str]:
    """Domain name -> address of the Route 53 record an environment's stack writes for its validation."""
    found = {}
    for name, record in view.resources("foundation", "aws_route53_record").items():
        for domain in validated_names(view, str(record.get("name", ""))):
            found[domain] = f"{view.stack('foundation')}:aws_route53_record.{name}"
    return found


def target_group(view: EnvView, listener: tuple[str, dict[str, Any]]) -> Hop:
    """The listener forwards to a target group of IP targets over HTTPS, health-checked over HTTP."""
    _, resolved = listener
    actions = resolved["default_action"]
    (action,) = actions if isinstance(actions, list) else [actions]
    arn = action.get("target_group_arn")
    group = view.resource(arn) if isinstance(arn, Ref) else None
    if action.get("type") != "forward" or group is None:
        return hop("target group", False, f"default action {action}")
    group = view.resolve("foundation", group)
    ok = group.get("protocol") == "HTTPS" and group.get("target_type") == "ip"
    check = group.get("health_check", {})
    return hop(
        "target group",
        ok,
        f"{arn.address} {group.get('protocol')}:{group.get('port')} {group.get('target_type')} targets, "
        f"health {check.get('protocol')}:{check.get('port')}{check.get('path')}, "
        f"deregistration {group.get('deregistration_delay')} s",
        found=(Ref(arn.stack, arn.address, "arn"), group),
    )


def alb_reaches_targets(view: EnvView, lb_groups: list[Ref], group: dict[str, Any]) -> Hop:
    """Security groups let the ALB reach the pods on the target port and the health-check port: egress
    from the ALB's group and ingress to a group of the nodes. With the VPC CNI (no security groups for
    pods) a pod's traffic carries its node's groups, those of the node groups' launch templates."""
    ports = {int(group["port"]), int(group.get("health_check", {}).get("port", group["port"]))}
    node_groups = {
        g
        for template in view.resources("foundation", "aws_launch_template").values()
        for g in view.resolve("foundation", template.get("vpc_security_group_ids", []))
        if isinstance(g, Ref)
    }
    problems = []
    for port in sorted(ports):
        out = [
            r
            for r in view.resources("foundation", "aws_vpc_security_group_egress_rule").values()
            if view.resolve("foundation", r["security_group_id"]) in lb_groups
            and view.resolve("foundation", r.get("referenced_security_group_id")) in node_groups
            and r.get("from_port", 0) <= port <= r.get("to_port", -1)
        ]
        into = [
            r
            for r in view.resources("foundation", "aws_vpc_security_group_ingress_rule").values()
            if view.resolve("foundation", r["security_group_id"]) in node_groups
            and view.resolve("foundation", r.get("referenced_security_group_id")) in lb_groups
            and r.get("from_port", 0) <= port <= r.get("to_port", -1)
        ]
        if not (out and into):
            problems.append(f"{port}: egress {len(out)} rule(s), node ingress {len(into)} rule(s)")
    return hop(
        "alb to pods",
        not problems,
        f"ports {sorted(ports)} from {[str(g) for g in lb_groups]} to node groups"
        + (f"; {problems}" if problems else ""),
    )


def target_group_binding(view: EnvView, group_arn: Ref, group: dict[str, Any]) -> Hop:
    """A TargetGroupBinding keeps the pods of a Service registered in this target group, as IP targets
    like the group's (AWS Load Balancer Controller, TargetGroupBinding reference)."""
    for binding in view.kind("TargetGroupBinding"):
        spec = binding.body["spec"]
        if spec.get("targetGroupARN") == group_arn:
            ok = spec.get("targetType", "ip") == group.get("target_type")
            return hop(
                "target group binding",
                ok,
                f"{binding} -> Service {spec['serviceRef']['name']}:{spec['serviceRef']['port']} "
                f"({spec.get('targetType')})",
                found=binding,
            )
    return hop("target group binding", False, f"no TargetGroupBinding names {group_arn}")


def in_cidrs(address: str, cidrs: list[str]) -> bool:
    network = ipaddress.IPv4Network(address)
    return any(network.subnet_of(ipaddress.IPv4Network(cidr)) for cidr in cidrs)


def bound_binding(binding: Obj) -> tuple[str, int]:
    ref = binding.body["spec"]["serviceRef"]
    return str(ref["name"]), int(ref["port"])


def _names_host(statement: dict[str, Any], host: str) -> bool:
    """The statement matches requests whose Host header is exactly ``host`` (alone, or in an OR)."""
    if "or_statement" in statement:
        return any(_names_host(inner, host) for inner in statement["or_statement"]["statement"])
    match = statement.get("byte_match_statement", {})
    return bool(
        match.get("search_string") == host
        and match.get("positional_constraint") == "EXACTLY"
        and match.get("field_to_match", {}).get("single_header", {}).get("name") == "host"
    )


def _lacks_token(statement: dict[str, Any]) -> bool:
    """The statement matches requests without an Authorization header: NOT (its size > 0)."""
    (inner,) = statement.get("not_statement", {}).get("statement", [{}])
    size = inner.get("size_constraint_statement", {})
    return bool(
        size.get("comparison_operator") == "GT"
        and size.get("size") == 0
        and size.get("field_to_match", {}).get("single_header", {}).get("name") == "authorization"
    )


def _blocks_tokenless(rule: dict[str, Any], host: str) -> bool:
    parts = rule.get("statement", {}).get("and_statement", {}).get("statement", [])
    return (
        "block" in rule.get("action", {})
        and any(_names_host(part, host) for part in parts)
        and any(_lacks_token(part) for part in parts)
    )


def web_acl(view: EnvView, lb: Ref, host: str, operators: bool) -> Hop:
    """The ALB's web ACL lets requests through by default (its managed groups and rate limit block
    attacks, not routes); on an operators' name a rule with a block action must match requests to that
    Host that carry no Authorization header, so anonymous requests never reach the cluster (AWS WAF,
    "and_statement", "not_statement", "size_constraint_statement")."""
    arn = Ref(lb.stack, lb.address, "arn")
    for association in view.resources("foundation", "aws_wafv2_web_acl_association").values():
        if view.resolve("foundation", association["resource_arn"]) != arn:
            continue
        acl_ref = view.resolve("foundation", association["web_acl_arn"])
        acl = view.resource(acl_ref) if isinstance(acl_ref, Ref) else None
        if acl is None:
            break
        rules = acl.get("rule", [])
        guards = [rule["name"] for rule in rules if _blocks_tokenless(rule, host)]
        default_allow = "allow" in acl.get("default_action", {})
        ok = default_allow and (bool(guards) or not operators)
        return hop(
            "web acl",
            ok,
            f"{acl_ref.address} default {'allow' if default_allow else 'block'}; "
            f"rules {[r['name'] for r in rules]}"
            + (f"; {guards} block token-less requests to {host}" if guards else ""),
        )
    return hop("web acl", not operators, f"no web ACL on {lb}")
