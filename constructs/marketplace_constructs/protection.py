"""Guard a stateful resource against an accidental ``terraform destroy`` where AWS has no protection."""

from __future__ import annotations

from cdktf import TerraformResource


def prevent_destroy(resource: TerraformResource, enabled: bool) -> None:
    """Set ``lifecycle.prevent_destroy``: Terraform then refuses any plan that would delete ``resource``."""
    if enabled:
        resource.add_override("lifecycle.prevent_destroy", True)
