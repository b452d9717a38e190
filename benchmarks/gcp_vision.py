"""Google emulator benchmark: Vision faces + labels per image through the official client vs the bare engines.

Run: .venv/bin/python benchmarks/gcp_vision.py   (starts the Google emulator in this process)

Prints the start times of the Google emulator (goal: <= 1 s) and of gcp-storage-emulator, then the p50
of one ``images:annotate`` request for FACE_DETECTION + LABEL_DETECTION on the 512x600 test portrait
through ``vision_v1.ImageAnnotatorClient`` (REST, base64, JSON, the HTTP hop, the per-image response)
against the p50 of calling the same two engines on the decoded pixels directly, run in turn. The
difference is what the wire costs per image.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

REPEATS = 30


def interleaved_p50_ms(*actions: Callable[[], object], repeats: int = REPEATS) -> list[float]:
    """The p50 of each action, run in turn so that load from elsewhere on the machine hits both alike."""
    samples: list[list[float]] = [[] for _ in actions]
    for _ in range(repeats):
        for index, action in enumerate(actions):
            started = time.perf_counter()
            action()
            samples[index].append((time.perf_counter() - started) * 1000)
    return [statistics.median(found) for found in samples]


def main() -> None:
    from gcp_ai_services.emulator.backend import GCPEmulatorBackend
    from gcp_ai_services.emulator.storage_backend import GCSEmulatorBackend
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import vision
    from multi_cloud.onprem.engines.faces import detect_faces
    from multi_cloud.onprem.engines.image_labels import classify
    from multi_cloud.onprem.engines.imaging import ANALYSIS_MAX_SIDE, decode_image
    from multi_cloud.testing.conformance import media

    storage = GCSEmulatorBackend()
    storage.use_preferred_port = False
    started = time.perf_counter()
    storage.start()
    storage_seconds = time.perf_counter() - started
    storage.stop()
    backend = GCPEmulatorBackend()
    backend.use_preferred_port = False
    started = time.perf_counter()
    backend.start()
    start_seconds = time.perf_counter() - started
    try:
        client = vision.ImageAnnotatorClient(
            transport="rest",
            client_options={"api_endpoint": backend.url},
            credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
        )
        portrait = media.portrait_jpeg()
        request = {
            "image": {"content": portrait},
            "features": [
                {"type_": vision.Feature.Type.FACE_DETECTION},
                {"type_": vision.Feature.Type.LABEL_DETECTION, "max_results": 5},
            ],
        }

        def over_the_wire() -> None:
            response = client.annotate_image(request)
            assert len(response.face_annotations) == 1 and response.label_annotations

        def engines_directly() -> None:
            pixels = decode_image(portrait, max_side=ANALYSIS_MAX_SIDE).pixels
            assert len(detect_faces(pixels)) == 1 and classify(pixels, max_labels=5)

        over_the_wire()  # load the models once (first-call cost is not per image)
        engines_directly()
        wire, direct = interleaved_p50_ms(over_the_wire, engines_directly)
    finally:
        backend.stop()
    print(f"Google AI emulator start: {start_seconds * 1000:.0f} ms (goal <= 1000 ms)")
    print(f"gcp-storage-emulator start: {storage_seconds * 1000:.0f} ms")
    print(f"Vision faces + labels per image, p50 of {REPEATS}:")
    print(f"  official client over REST : {wire:7.1f} ms")
    print(f"  engines called directly   : {direct:7.1f} ms")
    print(f"  wire overhead             : {wire - direct:7.1f} ms")


if __name__ == "__main__":
    main()
