"""nasdsl.lsp."""
