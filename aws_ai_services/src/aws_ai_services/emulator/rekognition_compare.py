"""Rekognition CompareFaces: not computed offline; this module says why (and where an engine would plug in).

Face *detection* is offline (OpenCV), but judging whether two faces are the same person needs a face
embedding model (FaceNet, ArcFace, dlib's ResNet, OpenCV's SFace), and none ships its weights in a light
PyPI wheel: OpenCV's SFace/YuNet live in the opencv_zoo Git repository, facenet/insightface/deepface
download weights at run time, and dlib's model needs the 100 MB ``face-recognition-models`` sdist plus
dlib. A similarity from pixel statistics would be a made-up number, so the emulator answers 501.
"""

from __future__ import annotations

from typing import Any

from multi_cloud.emulation.protocols.aws.errors import not_implemented

REASON = (
    "face comparison needs a face-embedding model and none installs offline from a light PyPI wheel "
    "(OpenCV's SFace is in the opencv_zoo Git repo; facenet/insightface download weights at run time); "
    "DetectFaces works, CompareFaces needs real AWS"
)


def compare_faces(source: Any, target: Any, threshold: float) -> dict[str, Any]:
    raise not_implemented("Rekognition CompareFaces", REASON)
