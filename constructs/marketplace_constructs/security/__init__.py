"""Customer-managed KMS keys."""
