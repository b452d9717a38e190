"""Text in images: lines and words with boxes and 0..100 confidences, by RapidOCR (default) or tesseract.

The default engine is ``rapidocr-onnxruntime``: PaddleOCR's PP-OCR detection and recognition models shipped in
the wheel, run on onnxruntime (``pip install`` only, no system package, no download). It reads English and
Chinese (``language`` ``eng``/``chi_sim``). It finds text LINEs; their WORDs come from the recogniser's
per-character boxes grouped at spaces (each word box spans its characters' boxes and the line's height, its
confidence is the mean of its characters'; without character boxes the line box is split in proportion to
the words' lengths). Line confidence is the recogniser's score x 100. Lines come in the detector's order
(top to bottom, then left to right). Images under ``UPSCALE_BELOW`` px tall are enlarged 2x first, as for
tesseract: at 1x PP-OCR drops the spaces between short all-caps words.

tesseract is the optional alternative, used when ``CLOUDAI_OCR_ENGINE=tesseract`` asks for it, when
``language`` is one RapidOCR's models do not read (tesseract has language packs), or when RapidOCR is not
installed. With tesseract, images whose height is under ``UPSCALE_BELOW`` px are enlarged 2x first
(tesseract wants ~20-30 px tall letters). A LINE's confidence is the mean of its words' confidences
(tesseract's 0..100 per word); its box is the union of its words' boxes. Lines are in reading order
(block, paragraph, line).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from multi_cloud.core.errors import InvalidArgument, MissingDependency
from multi_cloud.core.types import BoundingBox, TextDetection
from multi_cloud.onprem.engines.engine_imports import (
    OPENCV_INSTALL,
    find_binary,
    import_engine,
    which_binary,
)

RAPIDOCR_INSTALL = "pip install 'rapidocr-onnxruntime>=1.4.4' 'opencv-python>=4.9,<5'"
OCR_ENGINE_ENV = "CLOUDAI_OCR_ENGINE"
#: Tesseract language codes RapidOCR's bundled models read.
RAPIDOCR_LANGUAGES = frozenset({"eng", "chi_sim", "chi_tra"})
_RAPIDOCR_LOCK = threading.Lock()

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


def engine(language: str = "eng") -> str:
    """``"rapidocr"`` or ``"tesseract"``: which engine reads ``language`` here (see the module docstring)."""
    wanted = os.environ.get(OCR_ENGINE_ENV, "").strip().lower()
    if wanted == "tesseract":
        return "tesseract"
    rapid = importlib.util.find_spec("rapidocr_onnxruntime") is not None
    if wanted == "rapidocr" or (rapid and all(part in RAPIDOCR_LANGUAGES for part in language.split("+"))):
        return "rapidocr"
    if which_binary("tesseract") is not None or not rapid:
        if not rapid and which_binary("tesseract") is None:
            raise MissingDependency(
                f"no OCR engine (needed for vision.detect_text): {RAPIDOCR_INSTALL} "
                f"(or, for other languages, {TESSERACT_INSTALL})"
            )
        return "tesseract"
    raise InvalidArgument(
        f"RapidOCR reads {sorted(RAPIDOCR_LANGUAGES)}, not {language!r}; other languages need tesseract: "
        f"{TESSERACT_INSTALL} (plus the tesseract-ocr-<lang> pack)"
    )


def detect_text(bgr: Any, *, language: str = "eng", include_words: bool = False) -> list[TextDetection]:
    """LINE detections in reading order, followed by WORD detections when ``include_words``."""
    if engine(language) == "rapidocr":
        return _detect_with_rapidocr(bgr, include_words)
    return _detect_with_tesseract(bgr, language, include_words)


@lru_cache(maxsize=1)
def _rapidocr() -> Any:
    module = import_engine("rapidocr_onnxruntime", RAPIDOCR_INSTALL, purpose="OCR (vision.detect_text)")
    # PaddleOCR's own detector sizing (longest side at most 960 px); RapidOCR's default (shortest side at
    # least 736 px) blows a 800x112 text strip up to 5,000 px wide and is ~10x slower for the same lines
    return module.RapidOCR(det_limit_type="max", det_limit_side_len=960)


def _detect_with_rapidocr(bgr: Any, include_words: bool) -> list[TextDetection]:
    reader = _rapidocr()
    rows, cols = bgr.shape[:2]
    if rows < UPSCALE_BELOW:  # as for tesseract: at 1x PP-OCR drops the spaces of short all-caps strips
        cv2 = import_engine("cv2", OPENCV_INSTALL, purpose="OCR preprocessing")
        bgr = cv2.resize(bgr, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
        rows, cols = bgr.shape[:2]
    with _RAPIDOCR_LOCK:  # RapidOCR keeps per-call thresholds on the shared instance
        result, _elapsed = reader(bgr, return_word_box=True)
    lines: list[TextDetection] = []
    words: list[TextDetection] = []
    for entry in result or []:
        points, text, score = entry[0], str(entry[1]), float(entry[2])
        if not text.strip():
            continue
        xs = [float(p[0]) for p in points]
        ys = [float(p[1]) for p in points]
        left, top = max(min(xs), 0.0), max(min(ys), 0.0)
        right, bottom = min(max(xs), float(cols)), min(max(ys), float(rows))
        box = BoundingBox(
            left=left / cols, top=top / rows, width=(right - left) / cols, height=(bottom - top) / rows
        )
        lines.append(TextDetection(text=text.strip(), confidence=round(score * 100, 3), box=box, kind="LINE"))
        if include_words:
            chars = entry[3:6] if len(entry) >= 6 else None
            words += _words(text, score, chars, (left, top, right, bottom), (rows, cols))
    return lines + words


def _words(
    text: str,
    score: float,
    chars: Any,
    line: tuple[float, float, float, float],
    shape: tuple[int, int],
) -> list[TextDetection]:
    """A line's words: its characters grouped at spaces, or its box split by character count without them."""
    rows, cols = shape
    left, top, right, bottom = line
    spans: list[tuple[str, float, float, float]] = []  # text, left px, right px, confidence 0..1
    if chars and len(chars[0]) == len(chars[1]) == len(chars[2]) and chars[1]:
        current: list[tuple[str, float, float, float]] = []
        for char_box, char, confidence in zip(chars[0], chars[1], chars[2], strict=True):
            if str(char).isspace():
                if current:
                    spans.append(_span(current))
                current = []
                continue
            xs = [float(p[0]) for p in char_box]
            current.append((str(char), min(xs), max(xs), float(confidence)))
        if current:
            spans.append(_span(current))
    else:  # no character boxes: split the line box in proportion to the words' lengths
        stripped = text.strip()
        width = right - left
        position = 0
        for token in stripped.split():
            start = stripped.index(token, position)
            position = start + len(token)
            spans.append(
                (token, left + width * start / len(stripped), left + width * position / len(stripped), score)
            )
    return [
        TextDetection(
            text=word,
            confidence=round(confidence * 100, 3),
            box=BoundingBox(
                left=max(word_left, left) / cols,
                top=top / rows,
                width=(min(word_right, right) - max(word_left, left)) / cols,
                height=(bottom - top) / rows,
            ),
            kind="WORD",
        )
        for word, word_left, word_right, confidence in spans
    ]


def _span(chars: list[tuple[str, float, float, float]]) -> tuple[str, float, float, float]:
    return (
        "".join(c[0] for c in chars),
        min(c[1] for c in chars),
        max(c[2] for c in chars),
        sum(c[3] for c in chars) / len(chars),
    )


def _detect_with_tesseract(bgr: Any, language: str, include_words: bool) -> list[TextDetection]:
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
