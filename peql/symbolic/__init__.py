"""Read-out to SymPy, term shapes, the structure rule (DESIGN 6b) and extraction."""
