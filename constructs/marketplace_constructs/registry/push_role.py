"""ImagePushRole: what a service repository's image pipeline assumes, through GitHub OIDC, to push images into
its one ECR repository of this environment."""

from __future__ import annotations

from typing import Final

from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from constructs import Construct

from marketplace_constructs.aws import policy_document
from marketplace_constructs.errors import check_pattern
from marketplace_constructs.naming import GITHUB_REPOSITORY
from marketplace_constructs.security.boundary import bounded_role
from marketplace_constructs.security.ci_identity import github_trust

# Pushing a multi-platform image by digest: find existing layers, upload new ones, put the manifests; read
# back what was pushed (buildx checks its index). No delete, no tag changes, no repository settings.
PUSH_ACTIONS: Final = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:PutImage",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
    "ecr:DescribeImages",
)


class ImagePushRole(Construct):
    """Role ``name``, assumable only by workflows of ``source_repository`` (``owner/name``) running on
    ``branch`` (``repo:<owner>/<name>:ref:refs/heads/<branch>``, audience sts, one-hour sessions), allowed to
    log in to ECR and push to ``repository_arn`` alone. Pull requests of the service build and scan without
    it; only the branch's pushes publish."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        source_repository: str,
        repository_arn: str,
        oidc_provider_arn: str,
        branch: str = "main",
    ) -> None:
        super().__init__(scope, construct_id)
        check_pattern(
            "ImagePushRole", "source_repository", source_repository, GITHUB_REPOSITORY,
            "'owner/name' of a GitHub repository",
        )  # fmt: skip
        check_pattern("ImagePushRole", "branch", branch, r"[A-Za-z0-9._/-]+", "a branch name")
        subject = f"repo:{source_repository}:ref:refs/heads/{branch}"
        role = bounded_role(
            self, "role", name=name, max_session_duration=3600,
            assume_role_policy=github_trust(oidc_provider_arn, subject),
            description=f"Image pipeline of {source_repository} ({branch}): push to one ECR repository",
        )  # fmt: skip
        IamRolePolicy(
            self, "push", name="push-images", role=role.id,
            policy=policy_document([
                # GetAuthorizationToken has no resource to scope to; the token alone grants nothing.
                {"Sid": "RegistryLogin", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken",
                 "Resource": "*"},
                {"Sid": "PushToThisRepositoryOnly", "Effect": "Allow", "Action": list(PUSH_ACTIONS),
                 "Resource": repository_arn},
            ]),
        )  # fmt: skip
        self.arn: str = role.arn
