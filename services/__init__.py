"""Business actions: plain functions that take a session, enforce the rules and raise domain errors."""
