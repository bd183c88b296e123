"""Read-side queries for the admin: lists, searches, timelines and the dashboard.

They take a read session (`Database.reading()` or the request's) and change nothing.
"""
