"""Synthesize one construct in a throwaway stack and return the stack's Terraform JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from cdktf import TerraformStack, Testing
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_kubernetes.provider import KubernetesProvider
from constructs import Construct

from marketplace_constructs import AwsLocation
from marketplace_constructs.security.boundary import BOUNDARY_CONTEXT, workload_boundary_arn

LOCATION = AwsLocation(account_id="123456789012", region="us-east-1")
WORKLOAD_BOUNDARY_ARN = workload_boundary_arn(LOCATION.account_id)


def synth_construct(build: Callable[[Construct], object]) -> dict[str, Any]:
    """Run ``build(stack)`` inside a fresh stack with aws and kubernetes providers and the workload boundary
    in its context; return its resources."""
    stack = TerraformStack(Testing.app(), "test")
    stack.node.set_context(BOUNDARY_CONTEXT, WORKLOAD_BOUNDARY_ARN)  # as the foundation stack sets it
    AwsProvider(stack, "aws", region=LOCATION.region)
    KubernetesProvider(stack, "kubernetes")
    build(stack)
    resources: dict[str, Any] = json.loads(Testing.synth(stack)).get("resource", {})
    return resources
