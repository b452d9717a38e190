"""Command-line demos run by ``cloudai demo``; capstones add theirs through the ``cloudai.demos`` entry points."""
