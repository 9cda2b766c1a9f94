"""The import hook loads only the provider submodules in use, yet exposes the packages as usual."""

from __future__ import annotations

import sys

import cdktf_cdktf_provider_aws
import pytest

from stacks.lazy_providers import PROVIDER_PACKAGES


def test_only_used_submodules_are_loaded() -> None:
    loaded = {name.split(".")[1] for name in sys.modules if name.startswith("cdktf_cdktf_provider_aws.")}
    assert 0 < len(loaded) < 200  # the eager package loads ~2,200


def test_submodules_are_reachable_as_attributes_and_unknown_names_fail_clearly() -> None:
    assert cdktf_cdktf_provider_aws.ecr_repository.EcrRepository.__name__ == "EcrRepository"
    with pytest.raises(AttributeError, match="has no attribute 'no_such_resource'"):
        cdktf_cdktf_provider_aws.no_such_resource  # noqa: B018


def test_hook_covers_the_three_pinned_providers() -> None:
    assert set(PROVIDER_PACKAGES) == {
        "cdktf_cdktf_provider_aws", "cdktf_cdktf_provider_kubernetes", "cdktf_cdktf_provider_helm"
    }  # fmt: skip
