"""Connect-style readable IDs such as ``PA-123-456-789``."""

import secrets


def readable_id(prefix: str, groups: int = 3) -> str:
    """A random readable ID: the prefix and ``groups`` groups of three digits."""
    digits = "".join(str(secrets.randbelow(10)) for _ in range(3 * groups))
    return "-".join([prefix, *(digits[i : i + 3] for i in range(0, len(digits), 3))])
