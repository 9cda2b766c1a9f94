"""Progressive delivery with Flagger: the chart's values and the Secrets Manager path it reads (``flagger``,
no provider imports; platform layer), and each service's Canary, the metric templates its analysis reads and
the Slack alert provider (``canary``, plain dicts; apps layer)."""
