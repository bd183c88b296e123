"""Pickup times through the API and the database: slots, refusals, capacity under races."""
