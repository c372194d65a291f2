"""The distributor's workspace pages."""
