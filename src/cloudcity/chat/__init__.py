"""The conversation engine and the tools around it."""
