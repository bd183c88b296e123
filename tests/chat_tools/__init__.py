"""Tests of one area; helpers live in tests.support."""
