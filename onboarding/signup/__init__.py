"""The signup wizard: its state, view, forms, finishing, and carrying a signup to another browser."""
