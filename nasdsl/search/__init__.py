"""nasdsl.search."""
