"""Azure benchmark: Computer Vision analyze per image through the official client vs the bare engines, and
the start time of the Azure emulator + Azurite.

Run: .venv/bin/python benchmarks/azure_vision.py   (starts the emulator and Azurite in this process; run
``cloudai local install azurite`` once first)

``analyze`` asks for Faces + Color on the 512x600 portrait through ``ComputerVisionClient`` (msrest, HTTPS
to the emulator, key check, decode, Haar cascade, colour clustering); ``engine`` runs the same decode,
face detection and colour clustering in-process. Their difference is the wire overhead. Goal for the
start: <= 2 s (the emulator alone starts in ~0.1 s; Azurite is two Node.js processes started at once).
"""

from __future__ import annotations

import io
import os
import statistics
import time
from collections.abc import Callable

REPEATS = 30
STARTS = 3


def median_ms(action: Callable[[], object], repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def start_seconds() -> tuple[float, float]:
    """(median, worst) seconds to start the emulator and Azurite together, ready for requests."""
    from multi_cloud.local_cloud import LocalCloud

    timings = []
    for _ in range(STARTS):
        started = time.perf_counter()
        cloud = LocalCloud(["azure", "azurite"], preferred_ports=False).start()
        timings.append(time.perf_counter() - started)
        cloud.stop()
    return statistics.median(timings), max(timings)


def main() -> None:
    from azure.cognitiveservices.vision.computervision import ComputerVisionClient
    from msrest.authentication import CognitiveServicesCredentials
    from multi_cloud.core.settings import get_settings
    from multi_cloud.local_cloud import LocalCloud
    from multi_cloud.onprem.engines.faces import detect_faces
    from multi_cloud.onprem.engines.image_stats import dominant_colors
    from multi_cloud.onprem.engines.imaging import decode_image
    from multi_cloud.testing.conformance import media

    median_start, worst_start = start_seconds()
    print(f"emulator + Azurite start: median {median_start:.2f} s, worst {worst_start:.2f} s (goal <= 2 s)")

    cloud = LocalCloud(["azure"], preferred_ports=False).start()
    previous = cloud.apply_env()
    get_settings.cache_clear()
    try:
        client = ComputerVisionClient(
            os.environ["AZURE_AI_SERVICES_ENDPOINT"],
            CognitiveServicesCredentials(os.environ["AZURE_AI_SERVICES_KEY"]),
        )
        portrait = media.portrait_jpeg()

        def analyze() -> object:
            return client.analyze_image_in_stream(io.BytesIO(portrait), visual_features=["Faces", "Color"])

        def engine() -> object:
            image = decode_image(portrait, max_side=1024)
            return detect_faces(image.pixels), dominant_colors(image.pixels)

        analyze()  # warm: engines loaded, TLS session and connection pool
        engine()
        wire, local = median_ms(analyze, REPEATS), median_ms(engine, REPEATS)
        print(f"analyze (Faces+Color) via ComputerVisionClient: p50 {wire:.1f} ms per image")
        print(f"same engines in-process:                      p50 {local:.1f} ms per image")
        print(f"wire overhead (client, HTTPS, emulator):        {wire - local:.1f} ms")
    finally:
        cloud.restore_env(previous)
        cloud.stop()


if __name__ == "__main__":
    main()
