"""Face detection with OpenCV's Haar cascades: boxes as fractions, confidence from the last stage's margin.

How confidence is computed: ``detectMultiScale3(..., outputRejectLevels=True)`` returns, for each face,
the weight of the cascade's final stage, i.e. how far the face's score cleared that stage's threshold
(0 = just passed; real faces typically score 3-8, spurious hits below 2). The weight ``w`` is squashed with
a logistic, ``confidence = 100 / (1 + exp(-w))``: 0 -> 50, 2 -> 88, 4 -> 98.2, 6 -> 99.75. Detections must
also be confirmed by ``MIN_NEIGHBORS`` overlapping raw hits, which removes most false positives.
"""

from __future__ import annotations

import math
import threading
from functools import cache
from typing import Any

from multi_cloud.core.types import BoundingBox, Face
from multi_cloud.onprem.engines.engine_imports import OPENCV_INSTALL, import_engine

FACE_CASCADE = "haarcascade_frontalface_default.xml"
EYE_CASCADE = "haarcascade_eye.xml"
#: Images are scaled so their longest side is at most this many pixels before detection (for speed).
DETECTION_MAX_SIDE = 1024
#: Smallest face searched for, as a fraction of the shorter image side (and at least 24 px).
MIN_FACE_FRACTION = 1 / 12
SCALE_FACTOR = 1.1
MIN_NEIGHBORS = 5

_lock = threading.Lock()  # OpenCV cascades are not documented as thread-safe


@cache
def _cascade(name: str) -> Any:
    cv2 = import_engine("cv2", OPENCV_INSTALL, purpose="face detection")
    classifier = cv2.CascadeClassifier(cv2.data.haarcascades + name)
    if classifier.empty():
        raise RuntimeError(f"OpenCV could not load {name}; reinstall with {OPENCV_INSTALL}")
    return classifier


def confidence_from_weight(weight: float) -> float:
    """Map a final-stage weight (margin) to 0..100 with a logistic; see the module docstring."""
    return 100.0 / (1.0 + math.exp(-float(weight)))


def detect_faces(bgr: Any) -> list[Face]:
    """Frontal faces in a BGR image, most confident first, with eye landmarks where found."""
    cv2 = import_engine("cv2", OPENCV_INSTALL, purpose="face detection")
    import numpy as np

    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    height, width = gray.shape
    scale = min(1.0, DETECTION_MAX_SIDE / max(height, width))
    if scale < 1.0:  # each side at least 1 px: a 1x20000 strip must not shrink to nothing
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        gray = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
    min_side = max(24, int(min(gray.shape) * MIN_FACE_FRACTION))
    if min(gray.shape) < min_side:
        return []  # no room for the smallest face searched for
    gray = cv2.equalizeHist(gray)
    with _lock:
        boxes, _levels, weights = _cascade(FACE_CASCADE).detectMultiScale3(
            gray,
            scaleFactor=SCALE_FACTOR,
            minNeighbors=MIN_NEIGHBORS,
            minSize=(min_side, min_side),
            outputRejectLevels=True,
        )
    scaled_h, scaled_w = gray.shape
    faces = []
    for (x, y, w, h), weight in zip(np.asarray(boxes).reshape(-1, 4), np.ravel(weights), strict=True):
        box = BoundingBox(
            left=float(x / scaled_w),
            top=float(y / scaled_h),
            width=float(w / scaled_w),
            height=float(h / scaled_h),
        )
        landmarks = _eye_landmarks(gray, int(x), int(y), int(w), int(h))
        faces.append(Face(box=box, confidence=round(confidence_from_weight(weight), 3), landmarks=landmarks))
    return sorted(faces, key=lambda face: -face.confidence)


def _eye_landmarks(gray: Any, x: int, y: int, w: int, h: int) -> dict[str, tuple[float, float]]:
    """Eye centres as (x, y) image fractions; ``eyeLeft`` is the eye on the image's left side.

    Eyes are searched in the top 60% of the face box; the largest hit and the largest other hit at least a
    fifth of the face width away form the pair. No landmarks when fewer than two distinct eyes are found.
    """
    upper_face = gray[y : y + h * 6 // 10, x : x + w]
    min_eye, max_eye = max(8, w // 10), max(9, w // 3)
    with _lock:
        hits = _cascade(EYE_CASCADE).detectMultiScale(
            upper_face,
            scaleFactor=1.1,
            minNeighbors=2,
            minSize=(min_eye, min_eye),
            maxSize=(max_eye, max_eye),
        )
    centres = [
        (x + ex + ew / 2, y + ey + eh / 2)
        for ex, ey, ew, eh in sorted(hits, key=lambda e: -int(e[2]) * int(e[3]))
    ]
    if not centres:
        return {}
    first = centres[0]
    second = next((c for c in centres[1:] if abs(c[0] - first[0]) >= w / 5), None)
    if second is None:
        return {}
    (lx, ly), (rx, ry) = sorted((first, second))
    rows, cols = gray.shape
    return {"eyeLeft": (float(lx / cols), float(ly / rows)), "eyeRight": (float(rx / cols), float(ry / rows))}
