"""is_known: literals skip the jsii runtime, every kind of cdktf token is still recognised."""

from __future__ import annotations

import pytest
from cdktf import Fn, Token

from marketplace_constructs.errors import is_known


@pytest.mark.parametrize("literal", ["10.0.0.0/16", "", 3, 0, True, ("a",), 2.5])
def test_literals_are_known(literal: object) -> None:
    assert is_known(literal)


@pytest.mark.parametrize(
    "token",
    [
        Fn.replace("a", "b", "c"),  # string token
        f"prefix-{Fn.replace('a', 'b', 'c')}",  # token inside a string
        Token.as_list(Fn.split(",", "a,b")),  # list token
        Token.as_number(Fn.length_of(["a"])),  # number token (a float)
    ],
)
def test_tokens_are_unknown(token: object) -> None:
    assert not is_known(token)
    assert not is_known("literal", token)
