"""Azure infrastructure lessons: the dated price catalog and cost estimates."""
