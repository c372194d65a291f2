"""Activation pages: the stepper an invitation link opens, and the set-password link."""
