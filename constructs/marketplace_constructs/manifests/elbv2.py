"""AWS Load Balancer Controller objects (elbv2.k8s.aws/v1beta1)."""

from __future__ import annotations

from typing import Any

from marketplace_constructs.manifests import metadata


def target_group_binding(
    name: str, namespace: str, *, service: str, port: int, target_group_arn: str
) -> dict[str, Any]:
    """TargetGroupBinding: the controller keeps the pod IPs behind Service ``service``:``port`` registered in
    a target group Terraform owns (IP targets; the security group rules are Terraform's too)."""
    return {
        "apiVersion": "elbv2.k8s.aws/v1beta1",
        "kind": "TargetGroupBinding",
        "metadata": metadata(name, namespace),
        "spec": {
            "serviceRef": {"name": service, "port": port},
            "targetGroupARN": target_group_arn,
            "targetType": "ip",
        },
    }
