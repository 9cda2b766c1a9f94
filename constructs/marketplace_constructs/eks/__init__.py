"""The EKS control plane and the sizing types of its node groups."""
