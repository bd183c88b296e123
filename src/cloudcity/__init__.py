"""Cloud City: cake orders over chat."""
