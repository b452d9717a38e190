"""HTTP layer for every local server: waitress behind a loopback guard, limits, error shapes, never-drop."""
