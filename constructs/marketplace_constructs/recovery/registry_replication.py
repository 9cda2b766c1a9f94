"""RegistryReplication: ECR copies the images of the service repositories from the source region's registry
into the stack's region, in the same account."""

from __future__ import annotations

from cdktf import TerraformProvider
from cdktf_cdktf_provider_aws.ecr_replication_configuration import (
    EcrReplicationConfiguration,
    EcrReplicationConfigurationReplicationConfiguration,
    EcrReplicationConfigurationReplicationConfigurationRule,
    EcrReplicationConfigurationReplicationConfigurationRuleDestination,
    EcrReplicationConfigurationReplicationConfigurationRuleRepositoryFilter,
)
from constructs import Construct

from marketplace_constructs.aws import AwsLocation
from marketplace_constructs.errors import ConfigError
from marketplace_constructs.recovery.props import RegistryReplicationProps


class RegistryReplication(Construct):
    """The source registry's replication configuration (created through ``source_provider``): every image
    pushed to a repository whose name starts with ``props.repository_prefix`` is copied to the same repository
    name in ``location`` (this stack's region, same account). Lives in the destination's stack.

    One per account and region: the resource is the registry's whole replication configuration, not a rule
    added to it, so a second owner (another stack, or the console) would overwrite this one on every apply.
    Only one stack may create it for the source region; further destinations or prefixes belong here.

    Destination repositories: one that already exists (dr's own ``ContainerRepository``) keeps its settings,
    so its KMS key encrypts the replicas, its immutable tags hold (a tag that already names another digest
    there is not replaced) and its lifecycle policy ages the copies. One that does not exist is created by ECR
    from a matching repository creation template, or else with ECR's defaults (AES-256 rather than the
    project's key, mutable tags, no lifecycle policy): create the dr repositories before the first push.
    Only images pushed after this configuration exists are copied; ECR replicates with its service-linked
    role ``AWSServiceRoleForECRReplication``, created on first use, so no role is needed here.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: RegistryReplicationProps,
        location: AwsLocation,
        source_provider: TerraformProvider,
    ) -> None:
        """``source_provider``: an aws provider (an alias) for ``props.source_region`` and this account."""
        super().__init__(scope, construct_id)
        if props.source_region == location.region:
            raise ConfigError(
                f"RegistryReplicationProps.source_region must be another region than the stack's "
                f"({location.region}), got {props.source_region!r}"
            )
        EcrReplicationConfiguration(
            self,
            "configuration",
            provider=source_provider,
            replication_configuration=EcrReplicationConfigurationReplicationConfiguration(
                rule=[
                    EcrReplicationConfigurationReplicationConfigurationRule(
                        destination=[
                            EcrReplicationConfigurationReplicationConfigurationRuleDestination(
                                region=location.region, registry_id=location.account_id
                            )
                        ],
                        repository_filter=[
                            EcrReplicationConfigurationReplicationConfigurationRuleRepositoryFilter(
                                filter=props.repository_prefix, filter_type="PREFIX_MATCH"
                            )
                        ],
                    )
                ]
            ),
        )
