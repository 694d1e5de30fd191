"""Gateway conditions: a safe subset, compiled once, evaluated without eval()."""

from __future__ import annotations

import pytest

from process_definitions.conditions import ConditionError, compile_condition


@pytest.mark.parametrize(
    ("source", "variables", "expected"),
    [
        ("keputusan == 'tidak_ditemukan'", {"keputusan": "tidak_ditemukan"}, True),
        ("keputusan == 'tidak_ditemukan'", {"keputusan": "K1"}, False),
        ("keputusan != 'tidak_ditemukan'", {"keputusan": "K1"}, True),
        (
            "skor >= 80 and upt in ['Lapas Serang', 'Rutan Pandeglang']",
            {"skor": 85, "upt": "Lapas Serang"},
            True,
        ),
        ("skor >= 80 and upt in ['Lapas Serang']", {"skor": 79, "upt": "Lapas Serang"}, False),
        ("not disetujui or jumlah < 2", {"disetujui": True, "jumlah": 1}, True),
        ("x not in ('a', 'b')", {"x": "c"}, True),
    ],
)
def test_evaluates(source: str, variables: dict[str, object], expected: bool) -> None:
    assert compile_condition(source).evaluate(variables) is expected


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("__import__('os').system('true')", "Call"),
        ("open('/etc/passwd') == ''", "Call"),
        ("keputusan.__class__ == 'x'", "Attribute"),
        ("keputusan.upper() == 'X'", "Call"),
        ("keputusan[0] == 'K'", "Subscript"),
        ("(lambda: 1)() == 1", "Call"),
        ("[x for x in keputusan] == []", "ListComp"),
        ("__builtins__ == 1", "not allowed"),
        ("(y := 1) == 1", "NamedExpr"),
        ("keputusan == 'a' if x else 'b'", "IfExp"),
        ("2 ** 1000000 == 1", "BinOp"),
        ("f'{keputusan}' == 'x'", "JoinedStr"),
        ("import os", "does not parse"),
    ],
)
def test_refuses_unsafe_constructs_at_compile_time(source: str, fragment: str) -> None:
    with pytest.raises(ConditionError) as caught:
        compile_condition(source)
    assert fragment in str(caught.value)


def test_names_are_collected_for_load_time_checks() -> None:
    condition = compile_condition("a == 'x' and (b in ['y'] or not c)")
    assert condition.names == frozenset({"a", "b", "c"})


def test_missing_variable_at_evaluation_is_an_error() -> None:
    with pytest.raises(ConditionError, match="needs"):
        compile_condition("keputusan == 'x'").evaluate({})
