"""Local emulation of AWS behaviour moto lacks: code that really runs, answers that are computed."""
