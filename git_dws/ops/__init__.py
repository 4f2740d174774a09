"""Use cases, one per module. They take typed arguments, return values, never print or prompt."""
