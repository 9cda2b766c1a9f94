"""Synth benchmark: the whole app with eagerly imported provider packages vs the project's lazy import hook.

Each run is a fresh process, as `cdktf synth` starts one. Prints median and best wall time per mode, the
ratio (lazy / eager, target <= 0.30), the peak RSS of the largest process (Python or the jsii Node runtime),
and whether both modes wrote byte-identical output. Exits 1 only if the outputs differ; timing never fails.

    bin/dev bench [--runs N]
"""

from __future__ import annotations

import argparse
import filecmp
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EAGER = (
    "import cdktf_cdktf_provider_aws, cdktf_cdktf_provider_kubernetes, cdktf_cdktf_provider_helm, runpy, sys;"
    "sys.argv = ['main.py']; runpy.run_path('main.py', run_name='__main__')"
)
MODES = {"eager": ["-c", EAGER], "lazy": ["main.py"]}


def run_once(mode: str, outdir: Path) -> tuple[float, int]:
    """One synth in a wrapper whose RUSAGE_CHILDREN covers only that run; returns (seconds, peak KiB)."""
    env = {**os.environ, "CDKTF_OUTDIR": str(outdir), "MARKETPLACE_ENVIRONMENTS": ""}
    env.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    wrapper = (
        "import resource, subprocess, sys, time;"
        "start = time.perf_counter();"
        "subprocess.run(sys.argv[1:], check=True);"
        "print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    result = subprocess.run(
        [sys.executable, "-c", wrapper, sys.executable, *MODES[mode]],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    seconds, peak_kib = result.stdout.split()
    return float(seconds), int(peak_kib)


def identical(left: Path, right: Path) -> bool:
    """True when both trees hold the same files with the same bytes."""
    left_files = sorted(p.relative_to(left) for p in left.rglob("*") if p.is_file())
    right_files = sorted(p.relative_to(right) for p in right.rglob("*") if p.is_file())
    if left_files != right_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(left, right, [str(p) for p in left_files], shallow=False)
    return not mismatch and not errors


def at_least_one(text: str) -> int:
    """An argparse type: a whole number of at least 1 (anything else is a one-line usage error)."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return int(text)


def app_error(stderr: str) -> str:
    """The app's own one-line error (``error: ...``) out of a failed run's stderr, else its last line."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    return next((line for line in lines if line.startswith("error: ")), lines[-1] if lines else "no output")


def reporting_app_errors(measure: Callable[[], int]) -> int:
    """``measure()``'s exit status; when the app refuses its configuration, its own error line and exit 2
    instead of a traceback (both benchmarks run the app this way)."""
    try:
        return measure()
    except subprocess.CalledProcessError as failure:
        print(f"bin/dev bench: the app stopped: {app_error(failure.stderr or '')}", file=sys.stderr)
        return 2


def main() -> int:
    return reporting_app_errors(measure)


def measure() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=at_least_one, default=3, help="runs per mode (default: 3)")
    args = parser.parse_args()
    times: dict[str, list[float]] = {mode: [] for mode in MODES}
    peaks: dict[str, int] = dict.fromkeys(MODES, 0)
    with tempfile.TemporaryDirectory(prefix="synth-bench-") as scratch:
        outdirs = {mode: Path(scratch) / mode for mode in MODES}
        for _ in range(args.runs):
            for mode in MODES:  # alternate, so machine noise hits both modes alike
                seconds, peak = run_once(mode, outdirs[mode])
                times[mode].append(seconds)
                peaks[mode] = max(peaks[mode], peak)
        same = identical(outdirs["eager"], outdirs["lazy"])
        stack_count = len(list((outdirs["lazy"] / "stacks").iterdir()))
    print(f"synth of {stack_count} stacks, {args.runs} runs per mode, {os.cpu_count()} CPUs")
    print(f"{'mode':<6} {'median s':>9} {'best s':>8} {'peak RSS MiB':>13}")
    for mode in MODES:
        print(
            f"{mode:<6} {statistics.median(times[mode]):>9.2f} {min(times[mode]):>8.2f} "
            f"{peaks[mode] / 1024:>13.0f}"
        )
    ratio = statistics.median(times["lazy"]) / statistics.median(times["eager"])
    print(f"ratio lazy/eager (median): {ratio:.3f} (target <= 0.30)")
    print(f"outputs identical: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
