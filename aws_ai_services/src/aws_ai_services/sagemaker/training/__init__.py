"""Training building blocks: hyperparameters, source archives, spot settings, logs, results, tuning ranges."""
