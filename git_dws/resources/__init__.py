"""Resource types: each is one module implementing `ResourceType`, registered in `registry.TYPES`."""
