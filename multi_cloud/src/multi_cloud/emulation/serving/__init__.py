"""Model serving shared by the emulators: model cache, traffic split, payload codecs, model conventions."""
