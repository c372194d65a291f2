"""The reseller's portal after activation."""
