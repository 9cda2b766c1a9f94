"""ContainerRepository: ECR with immutable tags, scan on push, KMS encryption and a lifecycle policy."""

from __future__ import annotations

import json

from cdktf_cdktf_provider_aws.ecr_lifecycle_policy import EcrLifecyclePolicy
from cdktf_cdktf_provider_aws.ecr_repository import (
    EcrRepository,
    EcrRepositoryEncryptionConfiguration,
    EcrRepositoryImageScanningConfiguration,
)
from constructs import Construct

from marketplace_constructs.errors import check_pattern
from marketplace_constructs.protection import prevent_destroy
from marketplace_constructs.registry.props import RegistryProps


class ContainerRepository(Construct):
    """Repository ``name``: tags cannot be overwritten (a deployed digest stays what was tested)."""

    def __init__(
        self, scope: Construct, construct_id: str, *, props: RegistryProps, name: str, key_arn: str
    ) -> None:
        super().__init__(scope, construct_id)
        check_pattern(
            "ContainerRepository", "name", name, r"[a-z0-9]+([._/-][a-z0-9]+)*", "an ECR repository name"
        )
        repository = EcrRepository(
            self,
            "repository",
            name=name,
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration=EcrRepositoryImageScanningConfiguration(scan_on_push=True),
            encryption_configuration=[
                EcrRepositoryEncryptionConfiguration(encryption_type="KMS", kms_key=key_arn)
            ],
            force_delete=False,
        )
        prevent_destroy(repository, props.deletion_protection)
        rules = [
            {
                "rulePriority": 1,
                "description": f"Expire untagged images after {props.untagged_expiry_days} days",
                "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days",
                              "countNumber": props.untagged_expiry_days},
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 2,
                "description": f"Keep the newest {props.keep_tagged_images} tagged images",
                "selection": {"tagStatus": "tagged", "tagPatternList": ["*"],
                              "countType": "imageCountMoreThan", "countNumber": props.keep_tagged_images},
                "action": {"type": "expire"},
            },
        ]  # fmt: skip
        EcrLifecyclePolicy(
            self, "lifecycle", repository=repository.name, policy=json.dumps({"rules": rules}, sort_keys=True)
        )
        self.url: str = repository.repository_url
        self.arn: str = repository.arn
