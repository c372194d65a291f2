"""Connect-style readable IDs such as ``PA-123-456-789`` or ``TA-1234-5678-9012``."""

import secrets


def readable_id(prefix: str, groups: int = 3, digits: int = 3) -> str:
    """A random readable ID: the prefix and ``groups`` groups of ``digits`` digits."""
    number = "".join(str(secrets.randbelow(10)) for _ in range(digits * groups))
    return "-".join([prefix, *(number[i : i + digits] for i in range(0, len(number), digits))])
