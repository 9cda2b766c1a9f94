"""S3 buckets that are private, versioned, KMS-encrypted and TLS-only."""
