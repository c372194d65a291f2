"""The reseller's portal pages after activation."""
