"""Text in images with tesseract (via pytesseract): lines and words with boxes and confidences.

Images whose height is under ``UPSCALE_BELOW`` px are enlarged 2x first (tesseract wants ~20-30 px tall
letters). A LINE's confidence is the mean of its words' confidences (tesseract's 0..100 per word); its
box is the union of its words' boxes. Lines are in reading order (block, paragraph, line).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from typing import Any

from multi_cloud.core.errors import InvalidArgument, MissingDependency
from multi_cloud.core.types import BoundingBox, TextDetection
from multi_cloud.onprem.engines.engine_imports import OPENCV_INSTALL, find_binary, import_engine

TESSERACT_INSTALL = "apt-get install -y tesseract-ocr"
PYTESSERACT_INSTALL = "pip install pytesseract"
UPSCALE_BELOW = 400
TESSERACT_TIMEOUT_SECONDS = 60


@dataclass
class _Line:
    words: list[TextDetection] = field(default_factory=list)

    def detection(self) -> TextDetection:
        left = min(w.box.left for w in self.words if w.box)
        top = min(w.box.top for w in self.words if w.box)
        right = max(w.box.left + w.box.width for w in self.words if w.box)
        bottom = max(w.box.top + w.box.height for w in self.words if w.box)
        return TextDetection(
            text=" ".join(w.text for w in self.words),
            confidence=round(sum(w.confidence for w in self.words) / len(self.words), 3),
            box=BoundingBox(left=left, top=top, width=right - left, height=bottom - top),
            kind="LINE",
        )


def installed_languages() -> list[str]:
    """Tesseract's installed language packs (e.g. ``["eng", "osd"]``)."""
    binary = find_binary("tesseract", TESSERACT_INSTALL, purpose="OCR")
    out = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    return [line.strip() for line in out.stdout.splitlines()[1:] if line.strip()]


def detect_text(bgr: Any, *, language: str = "eng", include_words: bool = False) -> list[TextDetection]:
    """LINE detections in reading order, followed by WORD detections when ``include_words``."""
    find_binary("tesseract", TESSERACT_INSTALL, purpose="OCR (vision.detect_text)")
    pytesseract = import_engine("pytesseract", PYTESSERACT_INSTALL, purpose="OCR (vision.detect_text)")
    cv2 = import_engine("cv2", OPENCV_INSTALL, purpose="OCR preprocessing")

    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    height, width = gray.shape
    if height < UPSCALE_BELOW:
        gray = cv2.resize(gray, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
    try:
        data = pytesseract.image_to_data(
            gray, lang=language, output_type=pytesseract.Output.DICT, timeout=TESSERACT_TIMEOUT_SECONDS
        )
    except pytesseract.TesseractNotFoundError as exc:
        raise MissingDependency(f"tesseract is not installed: {TESSERACT_INSTALL}") from exc
    except pytesseract.TesseractError as exc:
        raise InvalidArgument(
            f"tesseract failed ({exc}); installed languages: {installed_languages()}"
        ) from exc
    except RuntimeError as exc:  # pytesseract's timeout
        raise InvalidArgument(f"OCR took over {TESSERACT_TIMEOUT_SECONDS} s; send a smaller image") from exc
    return _to_detections(data, gray.shape, include_words)


def _to_detections(
    data: dict[str, list[Any]], shape: tuple[int, int], include_words: bool
) -> list[TextDetection]:
    rows, cols = shape
    lines: dict[tuple[int, int, int], _Line] = {}
    for i, raw_text in enumerate(data["text"]):
        text = str(raw_text).strip()
        confidence = float(data["conf"][i])
        if not text or confidence < 0:
            continue
        box = BoundingBox(
            left=data["left"][i] / cols,
            top=data["top"][i] / rows,
            width=data["width"][i] / cols,
            height=data["height"][i] / rows,
        )
        word = TextDetection(text=text, confidence=round(confidence, 3), box=box, kind="WORD")
        key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
        lines.setdefault(key, _Line()).words.append(word)
    detections = [line.detection() for _, line in sorted(lines.items())]
    if include_words:
        detections += [word for _, line in sorted(lines.items()) for word in line.words]
    return detections
