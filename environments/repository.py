"""The GitHub repository this project deploys from, named once: the CI roles of every environment trust only
its workflows (``repo:<owner>/<name>:environment:<env>``). Placeholder: set yours before deploying."""

from typing import Final

from marketplace_constructs.errors import check_pattern

REPOSITORY: Final = "example-org/llm-marketplace-infrastructure"

check_pattern("environments/repository.py", "REPOSITORY", REPOSITORY, r"[A-Za-z0-9-]+/[A-Za-z0-9._-]+",
              "'owner/name' of a GitHub repository")  # fmt: skip
