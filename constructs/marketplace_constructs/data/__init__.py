"""Managed data stores: PostgreSQL (RDS), Redis (ElastiCache), Kafka (MSK), open to the workload tier only."""
