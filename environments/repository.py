"""The GitHub repositories this project trusts, each named once (placeholders: set yours before deploying).

- ``REPOSITORY``: this project's. The CI roles of every environment trust only its workflows
  (``repo:<owner>/<name>:environment:<env>``).
- ``SERVICE_REPOSITORIES``: each service's source. Its image pipeline (this project's reusable
  ``.github/workflows/service-image.yml``, called from there) pushes to the service's ECR repository through a
  role that trusts only that repository's ``main`` branch (``repo:<owner>/<name>:ref:refs/heads/main``).
"""

from typing import Final

from marketplace_constructs.errors import check_pattern
from marketplace_constructs.security.ci_identity import GITHUB_REPOSITORY

REPOSITORY: Final = "example-org/llm-marketplace-infrastructure"
SERVICE_REPOSITORIES: Final = {
    "publishing": "example-org/llm-marketplace-publishing",
    "discovery": "example-org/llm-marketplace-discovery",
    "consumption": "example-org/llm-marketplace-consumption",
    "admin": "example-org/llm-marketplace-admin",
}

for _field, _value in (("REPOSITORY", REPOSITORY), *SERVICE_REPOSITORIES.items()):
    check_pattern(
        "environments/repository.py", _field, _value, GITHUB_REPOSITORY, "'owner/name' of a GitHub repository"
    )
