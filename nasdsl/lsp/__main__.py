"""`python -m nasdsl.lsp`: run the language server over stdio."""

from nasdsl.lsp.server import serve_stdio

if __name__ == "__main__":
    serve_stdio()
