"""nasdsl.report."""
