"""A one-time password signs in once, even when two sign-ins give it at the same moment: the store
marks it used with a compare-and-set, so one of them wins and the other is told it was used."""

from __future__ import annotations

import asyncio

from hub.auth import Accounts, IssuedToken
from hub.errors import PasswordExpired
from hub.store import Store


async def test_two_sign_ins_with_one_one_time_password_at_once_get_one_token(store: Store) -> None:
    accounts = Accounts(store)
    await accounts.add_user("bob", None, admin=False, token_only=True)
    password = await accounts.one_time_password("bob")

    results = await asyncio.gather(
        accounts.login("bob", password, "laptop"),
        accounts.login("bob", password, "phone"),
        return_exceptions=True,
    )

    signed_in = [r for r in results if isinstance(r, IssuedToken)]
    refused = [r for r in results if isinstance(r, PasswordExpired)]
    assert (len(signed_in), len(refused)) == (1, 1), results
    assert "already used" in refused[0].message
    tokens = await store.list_tokens((await accounts.user("bob")).id)
    assert [t.label for t in tokens] == [signed_in[0].info.label]


async def test_a_password_set_by_hand_is_not_compared_and_set(store: Store) -> None:
    accounts = Accounts(store)
    await accounts.add_user("carol", None, admin=False, token_only=True)
    await accounts.set_password("carol", "for good")

    results = await asyncio.gather(*(accounts.login("carol", "for good", f"device {i}") for i in range(2)))

    assert sorted(r.info.label for r in results) == ["device 0", "device 1"]
