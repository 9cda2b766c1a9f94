"""S3 buckets that are private, versioned, KMS-encrypted and TLS-only."""

from marketplace_constructs.storage.secure_bucket import SecureBucket, SecureBucketProps, SecureBucketRef

__all__ = ["SecureBucket", "SecureBucketProps", "SecureBucketRef"]
