"""The national view: many départements' contracts and executions rolled up (issue 17)."""
