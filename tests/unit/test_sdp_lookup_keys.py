"""Which whole-name keys a query looks up (`adapters.sdp.keys.lookup_keys`)."""

from adapters.sdp.keys import lookup_keys


def test_one_token_of_a_longer_name_is_not_looked_up_alone() -> None:
    keys = lookup_keys([([["budi"], ["badak"]], [])])
    assert "n:badak budi" in keys
    assert "n:badak" not in keys
    assert "n:budi" not in keys


def test_a_name_of_one_token_is_looked_up_with_and_without_the_father() -> None:
    keys = lookup_keys([([["badak"]], [["dadang"]])])
    assert {"n:badak", "n:badak dadang"} <= set(keys)


def test_each_alias_form_of_one_token_is_looked_up_alone() -> None:
    keys = lookup_keys([([["budi"], ["santoso"]], []), ([["badak"]], [])])
    assert "n:badak" in keys
    assert "n:budi" not in keys
