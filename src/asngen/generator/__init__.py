"""From a pool and a registry to the final list of associations."""
