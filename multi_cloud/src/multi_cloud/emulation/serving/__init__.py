"""Model serving shared by the emulators: model loading, caches, traffic split, payload codecs."""
