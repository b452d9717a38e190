"""Offline AI engines (OpenCV, ONNX, VADER, YAKE, espeak-ng, pocketsphinx), apart from the services."""
