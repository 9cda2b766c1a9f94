"""Container image repositories."""
