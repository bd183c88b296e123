"""Whole journeys across features: an order from chat to pickup, with and without keys."""
