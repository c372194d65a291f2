"""Activation: the reseller's steps from an invitation link to a signed service contract."""
