"""The distributor's workspace: invitations, partners, agreements, new contracts."""
