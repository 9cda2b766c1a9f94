"""The benchmark on an app that refuses its configuration: the app's own one-line error and exit 2, no
traceback of the benchmark's."""

from __future__ import annotations

import argparse
import sys

import pytest

from benchmarks import synth


def test_the_benchmark_shows_the_apps_own_error_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    line = "error: environment 'qa': VpcProps.cidr must be ..."
    refusing = f"import sys; print({line!r}, file=sys.stderr); sys.exit(2)"
    monkeypatch.setattr(synth, "MODES", {"eager": ["-c", refusing], "lazy": ["-c", refusing]})
    monkeypatch.setattr(sys, "argv", ["benchmarks/synth.py", "--runs", "1"])
    assert synth.main() == 2
    err = capsys.readouterr().err
    assert err == "bin/dev bench: the app stopped: error: environment 'qa': VpcProps.cidr must be ...\n"


def test_without_an_error_line_the_last_line_is_shown() -> None:
    assert synth.app_error("Traceback (most recent call last):\n  ...\nKeyError: 'qa'\n") == "KeyError: 'qa'"
    assert synth.app_error("") == "no output"


def test_a_run_count_below_one_is_a_usage_error() -> None:
    assert synth.at_least_one("3") == 3
    for wrong in ("0", "-1", "x"):
        with pytest.raises(
            argparse.ArgumentTypeError, match=f"must be a whole number of at least 1, not '{wrong}'"
        ):
            synth.at_least_one(wrong)
