"""Load only the prebuilt provider submodules the app uses (works around hashicorp/terraform-cdk#3753).

Each prebuilt provider package imports all of its ~2,200 submodules from its ``__init__``. This module
installs an import hook that gives those packages a light ``__init__`` instead: it loads the package's jsii
assembly (the only thing the submodules need from it) and imports a submodule when it is first asked for.
The jsii runtime has the same problem on its Node side (the package's ``lib/index.js`` requires every
submodule), so ``install`` also preloads ``lazy_provider_index.js`` into the runtime through
``NODE_OPTIONS``. Nothing in site-packages or the package cache changes and the synthesized JSON is
byte-identical (``benchmarks/synth.py`` checks).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Final

PROVIDER_PACKAGES: Final = (
    "cdktf_cdktf_provider_aws",
    "cdktf_cdktf_provider_kubernetes",
    "cdktf_cdktf_provider_helm",
)
NODE_HOOK: Final = Path(__file__).with_name("lazy_provider_index.js")


class _LightPackageLoader(importlib.abc.Loader):
    """Runs the provider package's assembly load instead of its eager ``__init__``."""

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None  # default module creation; __path__ comes from the spec

    def exec_module(self, module: ModuleType) -> None:
        name = module.__name__
        importlib.import_module(f"{name}._jsii")  # registers the jsii assembly, as the real __init__ does

        def load_submodule(attr: str) -> ModuleType:
            """PEP 562 hook: ``package.vpc`` imports that submodule on first use, like the eager package."""
            if attr.startswith("__"):
                raise AttributeError(attr)
            try:
                return importlib.import_module(f"{name}.{attr}")
            except ModuleNotFoundError as err:
                raise AttributeError(f"module {name!r} has no attribute {attr!r}") from err

        module.__getattr__ = load_submodule  # type: ignore[method-assign]


class _LightPackageFinder(importlib.abc.MetaPathFinder):
    """Finds the provider packages with the regular path finder, then swaps in the light loader."""

    def find_spec(
        self, fullname: str, path: object = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in PROVIDER_PACKAGES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname)
        if spec is None or spec.submodule_search_locations is None:
            return None
        spec.loader = _LightPackageLoader()
        return spec


def install() -> None:
    """Install both hooks once. Packages already imported (eagerly) stay as they are, and the Node hook
    reaches only a jsii runtime that has not started yet (it starts with the first jsii import)."""
    if not any(isinstance(finder, _LightPackageFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _LightPackageFinder())
    preload = f'--require "{NODE_HOOK}"'
    options = os.environ.get("NODE_OPTIONS", "")
    if preload not in options:
        os.environ["NODE_OPTIONS"] = f"{options} {preload}".strip()
