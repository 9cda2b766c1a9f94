"""The internet edge: Route 53, ACM, an HTTPS-only Application Load Balancer and WAF."""
