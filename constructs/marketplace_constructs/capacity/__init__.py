"""Capacity: what each node group can hold (the fit check), placeholder headroom, and a deterministic
simulator of the autoscaling response (HPA, metrics, pod start-up, cluster autoscaler, EC2)."""
