"""The VPC: three subnet tiers per availability zone, NAT, flow logs and private AWS endpoints."""
