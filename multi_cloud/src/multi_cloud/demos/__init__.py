"""Command-line demos run by ``cloudai demo``; capstones register theirs as ``cloudai.demos`` entry points."""
