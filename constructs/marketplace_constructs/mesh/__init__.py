"""The Istio service mesh: props, the Helm releases that install it, and its mesh-wide policies."""
