"""Peak memory and time of a worst-case legal Rekognition image: full-size decode (baseline) vs the budget.

Run: .venv/bin/python benchmarks/image_budget.py

The image is an 8944x8944 PNG (80 M pixels, under Rekognition's 10,000-px side and the decoder's pixel
limit, compressed under the 5 MB inline limit) and the same picture as a JPEG. Each measurement runs in a
fresh process: the engines are warmed on a small image, the high-water mark is reset (``VmHWM``), then
DetectLabels with IMAGE_PROPERTIES and DetectFaces are computed as the emulator computes them, once with
the full-size decode the emulator used before (``max_side=None``) and once under the pixel budget
(``imaging.ANALYSIS_MAX_SIDE``). Printed: encoded size, peak RSS above the warmed process, seconds.
"""

from __future__ import annotations

import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIDE = 8944


def worst_case(path: Path, kind: str) -> None:
    """A 8944x8944 picture with texture (blocks of colour, a gradient, noise) that stays under 5 MB."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(7)
    tiles = rng.integers(0, 256, size=(SIDE // 256 + 1, SIDE // 256 + 1, 3), dtype=np.uint8)
    pixels = np.repeat(np.repeat(tiles, 256, axis=0), 256, axis=1)[:SIDE, :SIDE]
    gradient = np.arange(SIDE, dtype=np.uint16) * 127 // SIDE
    pixels[:, :, 0] = (pixels[:, :, 0] // 2 + gradient).astype(np.uint8)
    image = Image.fromarray(pixels)
    buffer = io.BytesIO()
    image.save(buffer, format=kind, **({"quality": 40} if kind == "JPEG" else {"optimize": True}))
    path.write_bytes(buffer.getvalue())


def peak_mib() -> float:
    """The process's peak resident size since :func:`reset_peak` (``VmHWM``)."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def reset_peak() -> None:
    """Start the high-water mark afresh (Linux: ``5`` in ``clear_refs`` resets ``VmHWM``)."""
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")


def current_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def measure(path: Path, budget: bool) -> dict[str, float]:
    """In this (fresh) process: warm the engines, then one DetectLabels+properties+faces computation."""
    from aws_ai_services.emulator.rekognition import face_detail, image_properties, labels
    from multi_cloud.onprem.engines.faces import detect_faces
    from multi_cloud.onprem.engines.imaging import ANALYSIS_MAX_SIDE, decode_image
    from multi_cloud.testing.conformance import media

    def analyse(data: bytes, max_side: int | None) -> None:
        pixels = decode_image(data, max_side=max_side).pixels
        labels(pixels, 10, None)
        image_properties(pixels)
        [face_detail(face, pixels) for face in detect_faces(pixels)]

    analyse(media.portrait_jpeg(), None)  # loads the label model and the cascades
    data = path.read_bytes()
    reset_peak()
    warm = current_mib()
    started = time.perf_counter()
    analyse(data, ANALYSIS_MAX_SIDE if budget else None)
    return {"seconds": time.perf_counter() - started, "peak_mib": peak_mib() - warm, "warm_mib": warm}


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--measure":
        print(json.dumps(measure(Path(sys.argv[2]), sys.argv[3] == "budget")))
        return
    with tempfile.TemporaryDirectory() as folder:
        print(f"worst-case legal image: {SIDE}x{SIDE} = {SIDE * SIDE / 1e6:.0f} M pixels")
        print(f"{'image':<22}{'decode':<22}{'peak RSS above warm':>20}{'seconds':>10}")
        for kind in ("PNG", "JPEG"):
            path = Path(folder) / f"worst.{kind.lower()}"
            worst_case(path, kind)
            size = f"{kind} {path.stat().st_size / 2**20:.2f} MiB"
            for mode, label in (("full", "full size (baseline)"), ("budget", "pixel budget")):
                out = subprocess.run(
                    [sys.executable, __file__, "--measure", str(path), mode],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                figures = json.loads(out.stdout.strip().splitlines()[-1])
                print(f"{size:<22}{label:<22}{figures['peak_mib']:>16.0f} MiB{figures['seconds']:>10.2f}")


if __name__ == "__main__":
    main()
