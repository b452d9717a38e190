"""Image features for AutoML image models: EfficientNet-Lite0's 1280 pooled features (``vision-labels``)."""

from __future__ import annotations

from typing import Any


def image_features(images: list[bytes]) -> Any:
    """An ``(n, 1280)`` float matrix, one row per encoded image; ValueError naming a bad image."""
    import numpy as np
    from multi_cloud.onprem.engines.image_labels import features
    from multi_cloud.onprem.engines.imaging import ANALYSIS_MAX_SIDE, decode_image

    rows = []
    for index, data in enumerate(images):
        try:
            pixels = decode_image(data, max_side=ANALYSIS_MAX_SIDE).pixels
        except Exception as exc:  # noqa: BLE001 - any decoding failure names the image
            raise ValueError(f"image {index} cannot be decoded: {exc}") from exc
        rows.append(features(pixels))
    return np.vstack(rows) if rows else np.zeros((0, 1280), dtype=np.float32)
