"""Email: what the portal sends (messages), the outbox it is written to in the action's own transaction
(outbox), the sender that delivers it (sender), and each user's notification switches (notifications)."""
