"""The synthesized stacks as checkov 3.3.30 can read them: a copy without the ``terraform`` block's plain
values (``required_version``), on which its terraform_json parser crashes ("this method receives only
dicts", bridgecrewio/checkov#7454, fix open in #7467). No check reads that block's scalars; everything else
is copied byte for byte.

    python -m policy.checkov_input cdktf.out/stacks OUT   # then: checkov --directory OUT ...
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def copy_for_checkov(stacks_dir: Path, out_dir: Path) -> None:
    """Every ``<stack>/cdk.tf.json`` of ``stacks_dir`` into ``out_dir/<stack>/``, its ``terraform`` block
    holding only its objects (backend, required_providers)."""
    for source in sorted(stacks_dir.glob("*/cdk.tf.json")):
        doc = json.loads(source.read_text())
        settings = doc.get("terraform", {})
        doc["terraform"] = {key: value for key, value in settings.items() if isinstance(value, (dict, list))}
        target = out_dir / source.parent.name / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(doc, indent=2))


if __name__ == "__main__":
    copy_for_checkov(Path(sys.argv[1]), Path(sys.argv[2]))
