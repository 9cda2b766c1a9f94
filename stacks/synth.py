"""Synthesize into a scratch folder beside the output and swap it in only when synthesis succeeded."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from cdktf import App


def synth_atomically(outdir: Path, build: Callable[[App], None]) -> None:
    """Run ``build`` on a fresh App and synthesize; ``outdir`` is replaced only if both succeed."""
    outdir.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.", dir=outdir.parent))
    try:
        app = App(outdir=str(scratch))
        build(app)
        app.synth()
        if outdir.exists():
            retired = scratch.with_name(f"{scratch.name}.old")
            outdir.rename(retired)
            scratch.rename(outdir)
            shutil.rmtree(retired)
        else:
            scratch.rename(outdir)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
