"""PDF documents, one module per document; shared page layout in base.py."""
