"""tools/cost_change: a pull request's comment shows each environment's monthly estimate before and after;
tools/cli_checks: the reports' one-line refusals."""

from __future__ import annotations

from pathlib import Path

from tools.cli_checks import missing_synth, unknown_environment
from tools.cost_change import markdown


def report(*envs: tuple[str, float, float]) -> dict[str, object]:
    return {
        "prices_date": "2026-11-26",
        "environments": [
            {"env": e, "steady": steady, "daily": steady, "ceiling": ceiling, "not_priced": []}
            for e, steady, ceiling in envs
        ],
    }


def test_each_environment_shows_its_steady_base_change_and_difference_and_its_ceiling() -> None:
    text = markdown(report(("dev", 700, 800), ("staging", 2000, 2500)), report(("dev", 600, 800)))
    assert "| dev | $600 | $700 | +$100 | $800 |" in text
    assert "| staging | none | $2,000 | new | $2,500 |" in text
    assert "List prices of 2026-11-26; steady: minimum nodes and the headroom as placed" in text


def test_a_cheaper_change_shows_a_negative_difference_and_no_base_shows_the_head() -> None:
    assert "| dev | $700 | $650 | -$50 | $750 |" in markdown(
        report(("dev", 650, 750)), report(("dev", 700, 800))
    )
    assert "| dev | none | $650 | new | $750 |" in markdown(report(("dev", 650, 750)), None)


def test_a_base_from_before_the_steady_figure_compares_its_low_end() -> None:
    old = {"prices_date": "2026-11-26", "environments": [{"env": "dev", "low": 600, "high": 800}]}
    assert "| dev | $600 | $650 | +$50 | $750 |" in markdown(report(("dev", 650, 750)), old)


def test_the_reports_refuse_an_unknown_environment_or_a_missing_synth_in_one_line(tmp_path: Path) -> None:
    assert unknown_environment(["prod"], ["dev", "production"]) == (
        "unknown environment 'prod'; allowed: dev, production"
    )
    assert unknown_environment(["dev"], ["dev", "production"]) is None
    assert missing_synth(tmp_path) == f"{tmp_path / 'manifest.json'} not found: run bin/dev synth first"
