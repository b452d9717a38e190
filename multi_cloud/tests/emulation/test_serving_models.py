"""The serving toolkit's model cache and traffic split."""

from __future__ import annotations

import random
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from multi_cloud.core.errors import InvalidArgument
from multi_cloud.emulation.jobs.archives import pack_model_dir
from multi_cloud.emulation.serving.model_cache import ModelCache
from multi_cloud.emulation.serving.traffic_split import RequestRejected, choose_variant


def _archive(constant: int) -> bytes:
    import joblib
    from sklearn.dummy import DummyClassifier

    model = DummyClassifier(strategy="constant", constant=constant).fit([[0, 0], [1, 1]], [0, 1])
    with tempfile.TemporaryDirectory() as work:
        joblib.dump(model, Path(work) / "model.joblib")
        return pack_model_dir(Path(work))


def test_a_model_is_loaded_once_per_version_and_evicted_least_recently_used() -> None:
    cache = ModelCache(max_models=2)
    reads: list[str] = []

    def reader(archive: bytes, name: str):  # type: ignore[no-untyped-def]
        return lambda: reads.append(name) or archive

    one, zero = _archive(1), _archive(0)
    first = cache.load("s3://b/m.tar.gz", "v1", reader(one, "v1"))
    assert cache.load("s3://b/m.tar.gz", "v1", reader(one, "v1")) is first
    assert first.predict([[3, 4], [5, 6]]) == ((1, 1), ((0.0, 1.0), (0.0, 1.0)))
    newer = cache.load("s3://b/m.tar.gz", "v2", reader(zero, "v2"))  # new bytes at the same URI
    assert newer.predict([[3, 4]])[0] == (0,) and reads == ["v1", "v2"]
    cache.load("s3://b/other.tar.gz", "v1", reader(one, "other"))  # evicts v1, the least recently used
    cache.load("s3://b/m.tar.gz", "v1", reader(one, "v1"))
    assert reads == ["v1", "v2", "other", "v1"]


def test_bad_archives_and_rows_are_invalid_arguments() -> None:
    cache = ModelCache()
    with pytest.raises(InvalidArgument, match="is not a model.tar.gz archive"):
        cache.load("s3://b/junk", "1", lambda: b"junk")
    loaded = cache.load("s3://b/m", "1", lambda: _archive(1))
    with pytest.raises(InvalidArgument, match="expects 2 features per row, got 3"):
        loaded.predict([[1, 2, 3]])
    with pytest.raises(InvalidArgument, match="no instances"):
        loaded.predict([])
    with pytest.raises(InvalidArgument, match="rows of numbers"):
        loaded.predict([[1, "x"]])


def test_traffic_is_split_by_weight_and_a_target_wins() -> None:
    rng = random.Random(7)
    picks = Counter(choose_variant({"A": 1.0, "B": 3.0, "C": 0.0}, rng) for _ in range(4000))
    assert picks["C"] == 0 and picks["B"] / 4000 == pytest.approx(0.75, abs=0.03)
    assert choose_variant({"A": 1.0, "C": 0.0}, rng, target="C") == "C"
    with pytest.raises(RequestRejected, match="Canary"):
        choose_variant({"A": 1.0}, rng, target="Canary")
    with pytest.raises(RequestRejected, match="weight 0"):
        choose_variant({"A": 0.0}, rng)
