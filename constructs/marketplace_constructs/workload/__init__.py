"""Kubernetes workload building blocks: namespaces with Pod Security Admission and mesh injection."""

from marketplace_constructs.workload.namespace import Namespace, NamespaceProps

__all__ = ["Namespace", "NamespaceProps"]
