"""A user's own account: Forgot password?, the reset and confirmation links, Account settings."""
