"""The importer writes key rows to PostgreSQL as one block of COPY text."""

from adapters.sdp.importer import _copy_block


def test_plain_rows_are_written_as_they_are() -> None:
    assert _copy_block([("n:budi santoso", 1), ("u:budi|serang", 22)]) == (
        "n:budi santoso\t1\nu:budi|serang\t22\n"
    )


def test_a_value_with_a_tab_newline_or_backslash_is_escaped() -> None:
    rows = [("a\tb", 1), ("c\nd", 2), ("e\\f", 3), ("g\rh", 4)]
    assert _copy_block(rows) == "a\\tb\t1\nc\\nd\t2\ne\\\\f\t3\ng\\rh\t4\n"
