"""Customer-managed KMS keys."""

from marketplace_constructs.security.kms_key import KmsKey, KmsKeyProps, KmsKeyRef

__all__ = ["KmsKey", "KmsKeyProps", "KmsKeyRef"]
