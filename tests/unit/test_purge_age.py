"""`purge --older-than`: explicit units only; `1m` (minutes or months?) is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from typer.testing import CliRunner

from adapters.cli.app import app
from adapters.retention.older_than import parse_age


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("90d", timedelta(days=90)),
        ("90 days", timedelta(days=90)),
        ("12w", timedelta(weeks=12)),
        ("6mo", timedelta(days=180)),
        ("6months", timedelta(days=180)),
        ("1 month", timedelta(days=30)),
        ("1y", timedelta(days=365)),
        ("2years", timedelta(days=730)),
        ("30min", timedelta(minutes=30)),
        ("30 minutes", timedelta(minutes=30)),
        ("12h", timedelta(hours=12)),
    ],
)
def test_explicit_units_are_read(text: str, age: timedelta) -> None:
    assert parse_age(text) == age


@pytest.mark.parametrize("text", ["1m", "6M", "1m30s", "90", "d", "0d", "5 fortnights", "-3d"])
def test_ambiguous_or_unknown_ages_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"6mo|months"):
        parse_age(text)


def test_1m_names_both_readings() -> None:
    with pytest.raises(ValueError, match="ambiguous") as error:
        parse_age("1m")
    assert "`1min`" in str(error.value) and "`1mo`" in str(error.value)


def test_purge_refuses_1m_before_touching_any_database(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(str(tmp_path))
    result = CliRunner().invoke(app, ["purge", "--older-than", "1m", "--dry-run"])
    assert result.exit_code == 2
    assert "ambiguous" in result.output and "months" in result.output
