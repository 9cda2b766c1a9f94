"""Real Terraform, offline: stand-in providers that serve the exact provider schemas, and the harness that
runs init, validate, plan and a simulated apply of every synthesized stack in deploy order."""
