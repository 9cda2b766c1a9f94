"""Cluster backups with Velero: typed props, the chart's values, the IRSA role of its server and the
custom resources (a Schedule, a read-only BackupStorageLocation) of the layer after the one installing it."""
