"""A user's own account: forgotten and changed passwords, name, email and notification switches."""
