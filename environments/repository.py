"""This project's GitHub repository (a placeholder: set yours before deploying). The CI roles of every
environment trust only its workflows (``repo:<owner>/<name>:environment:<env>``); each service's own
repository is its spec's ``image_source`` (``services/``)."""

from typing import Final

from marketplace_constructs.errors import check_pattern
from marketplace_constructs.naming import GITHUB_REPOSITORY

REPOSITORY: Final = "example-org/llm-marketplace-infrastructure"
check_pattern(
    "environments/repository.py",
    "REPOSITORY",
    REPOSITORY,
    GITHUB_REPOSITORY,
    "'owner/name' of a GitHub repository",
)
