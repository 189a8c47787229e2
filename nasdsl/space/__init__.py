"""nasdsl.space."""
