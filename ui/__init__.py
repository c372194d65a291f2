"""Pages and components. No SQL and no business rules here: pages call services through ui.calls."""
