"""The crawler's one spider."""
