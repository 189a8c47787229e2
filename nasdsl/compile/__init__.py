"""nasdsl.compile."""
