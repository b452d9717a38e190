"""Latency of the on-premises AI engines: faces, labels, OCR, sentiment, language, key phrases, TTS, STT.

Run: .venv/bin/python benchmarks/onprem_ai.py   (each figure is the median of warm runs, after one cold run)
"""

from __future__ import annotations

import io
import statistics
import time
from collections.abc import Callable
from typing import Any

SENTENCES = [
    "I love this phone, the camera is wonderful.",
    "The delivery was late and the box was damaged.",
    "The meeting is on Tuesday at the main office.",
    "The food was great but the service was terrible.",
]
PARAGRAPH = (
    "Amazon Rekognition, Google Cloud Vision and Azure AI Vision detect faces, read text and label images. "
    "This curriculum runs the same lessons offline: OpenCV finds faces, tesseract reads text, and an "
    "EfficientNet-Lite0 network labels images, all on a laptop without a cloud account."
)
PHRASES = ["turn on the lights", "turn off the lights", "what time is it"]


def timed(action: Callable[[], Any], runs: int) -> tuple[float, float]:
    """(cold seconds, median warm seconds) of ``action``."""
    start = time.perf_counter()
    action()
    cold = time.perf_counter() - start
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return cold, statistics.median(samples)


def portrait_512() -> bytes:
    from multi_cloud.testing.conformance import media
    from PIL import Image

    with Image.open(io.BytesIO(media.portrait_jpeg())) as image:
        buffer = io.BytesIO()
        image.convert("RGB").resize((512, 512)).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def main() -> None:
    from multi_cloud.onprem.language import OnPremLanguage
    from multi_cloud.onprem.speech import OnPremSpeech
    from multi_cloud.onprem.vision import OnPremVision
    from multi_cloud.testing.conformance import media

    vision, language, speech = OnPremVision("onprem"), OnPremLanguage("onprem"), OnPremSpeech("onprem")
    face_image = portrait_512()
    text_image = media.text_png(["HELLO CLOUD WORLD", "Invoice 4021"])
    utterance = speech.synthesize("turn on the lights").audio
    sentence = iter(SENTENCES * 1000)

    rows: list[tuple[str, Callable[[], Any], int, float, str]] = [
        ("face detection, 512x512 JPEG", lambda: vision.detect_faces(face_image), 21, 1e3, "ms"),
        ("image properties, 512x512 JPEG", lambda: vision.image_properties(face_image), 21, 1e3, "ms"),
        ("labels (EfficientNet-Lite0)", lambda: vision.detect_labels(face_image), 11, 1e3, "ms"),
        ("OCR, 2 lines (tesseract)", lambda: vision.detect_text(text_image), 5, 1e3, "ms"),
        ("sentiment, one sentence", lambda: language.sentiment(next(sentence)), 401, 1e6, "us"),
        (
            "language detection, one sentence",
            lambda: language.detect_language(next(sentence)),
            201,
            1e6,
            "us",
        ),
        ("key phrases, 60-word paragraph", lambda: language.key_phrases(PARAGRAPH), 21, 1e3, "ms"),
        ("PII, 60-word paragraph", lambda: language.pii(PARAGRAPH), 401, 1e6, "us"),
        ("TTS, one sentence (espeak-ng)", lambda: speech.synthesize(next(sentence)), 11, 1e3, "ms"),
        (
            "STT, 1.2 s utterance, 3 phrases",
            lambda: speech.transcribe(utterance, phrases=PHRASES),
            11,
            1e3,
            "ms",
        ),
    ]
    print(f"{'operation':36} {'cold':>10} {'median':>10}")
    for name, action, runs, scale, unit in rows:
        try:
            cold, warm = timed(action, runs)
        except Exception as err:  # noqa: BLE001 - a missing engine is reported, not fatal
            print(f"{name:36} {'n/a':>10} {'n/a':>10}  ({type(err).__name__}: {err})")
            continue
        print(f"{name:36} {cold * scale:8.1f}{unit} {warm * scale:8.1f}{unit}")


if __name__ == "__main__":
    main()
