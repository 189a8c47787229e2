"""nasdsl.run."""
