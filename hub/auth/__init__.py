"""Who is asking: accounts and sign-in, password hashing, device tokens, trusted proxies, and where
a device token sits in the OS keyring."""

from hub.auth.accounts import Accounts, IssuedToken
from hub.auth.keyring_entry import KEYRING_SERVICE, keyring_user
from hub.auth.passwords import generate_password, hash_password, verify_password
from hub.auth.proxies import Network, client_address, proxy_networks
from hub.auth.tokens import TOKEN_PREFIX, hash_token, new_token, same_digest

__all__ = [
    "KEYRING_SERVICE",
    "TOKEN_PREFIX",
    "Accounts",
    "IssuedToken",
    "Network",
    "client_address",
    "generate_password",
    "hash_password",
    "hash_token",
    "keyring_user",
    "new_token",
    "proxy_networks",
    "same_digest",
    "verify_password",
]
