"""AutoML shared by the emulators: a timed search over scikit-learn candidates (tables, image features)."""
