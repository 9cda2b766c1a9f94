"""Kubernetes workload building blocks: namespaces with Pod Security Admission and mesh injection."""
