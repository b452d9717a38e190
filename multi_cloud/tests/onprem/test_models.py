"""On-premises models: the shared conformance suite plus registry, ONNX, serving and failure-path tests."""

from __future__ import annotations

import gzip
import io
import tarfile
import textwrap
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from multi_cloud.core.errors import AlreadyExists, InvalidArgument, NotFound, Unsupported
from multi_cloud.core.types import TrainingJob, TrainingSpec
from multi_cloud.demos.scripts import SKLEARN_CLASSIFIER, iris_csv
from multi_cloud.emulation.jobs.script_mode import pack_model_dir, unpack_model
from multi_cloud.onprem.provider import OnPremProvider
from multi_cloud.testing.conformance.models import IRIS_CLASSES, IRIS_ROWS, ModelConformance


class TestOnPremModels(ModelConformance):
    @pytest.fixture
    def provider(self, tmp_path: Path) -> OnPremProvider:
        return OnPremProvider(root=tmp_path)


# ----------------------------------------------------------------------------- shared, trained once
def iris_matrix() -> tuple[Any, Any]:
    data = np.loadtxt(io.BytesIO(iris_csv()), delimiter=",")
    return data[:, 1:], data[:, 0].astype(int)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> OnPremProvider:
    return OnPremProvider(root=tmp_path_factory.mktemp("onprem"))


@pytest.fixture(scope="module")
def rf_job(site: OnPremProvider, tmp_path_factory: pytest.TempPathFactory) -> TrainingJob:
    """A script-mode RandomForest job whose train channel is a local folder given as a file:// URI."""
    data_dir = tmp_path_factory.mktemp("iris-data")
    (data_dir / "train.csv").write_bytes(iris_csv())
    spec = TrainingSpec(
        name="iris-rf",
        entry_point=str(SKLEARN_CLASSIFIER),
        hyperparameters={"n-estimators": 25},
        inputs={"train": data_dir.as_uri()},
    )
    job = site.models.train(spec)
    assert job.status == "Completed", job.failure_reason
    return job


def sklearn_model_of(site: OnPremProvider, artifact_uri: str, dest: Path) -> Any:
    import joblib

    bucket, key = artifact_uri.removeprefix("onprem://").split("/", 1)
    unpack_model(site.storage.get_object(bucket, key), dest)
    return joblib.load(dest / "model.joblib")


def store_artifact(site: OnPremProvider, model: Any, key: str, tmp_path: Path) -> str:
    """Fit-in-process model packed like a training job's model.tar.gz, stored in the on-prem bucket."""
    import joblib

    model_dir = tmp_path / "model"
    model_dir.mkdir()
    joblib.dump(model, model_dir / "model.joblib")
    if "models" not in {b.name for b in site.storage.list_buckets()}:
        site.storage.create_bucket("models")
    site.storage.put_object("models", key, pack_model_dir(model_dir))
    return site.storage.uri("models", key)


# ----------------------------------------------------------------------------- training
def test_jobs_persist_across_provider_instances(site: OnPremProvider, rf_job: TrainingJob) -> None:
    again = OnPremProvider(root=site.root).models.get_training_job(rf_job.name)
    assert again.status == "Completed"
    assert (
        again.model_artifact
        == rf_job.model_artifact
        == "onprem://onprem-artifacts/iris-rf/output/model.tar.gz"
    )
    assert again.metrics["train:samples"] == 150
    assert again.hyperparameters == {"n-estimators": "25"}
    assert again.duration_seconds is not None and again.duration_seconds > 0
    with pytest.raises(AlreadyExists, match="iris-rf"):
        site.models.train(TrainingSpec(name="iris-rf", entry_point=str(SKLEARN_CLASSIFIER)))


def test_empty_channel_fails_without_running_and_cannot_be_deployed(site: OnPremProvider) -> None:
    site.storage.create_bucket("empty-data")
    spec = TrainingSpec(
        name="no-data",
        entry_point=str(SKLEARN_CLASSIFIER),
        inputs={"train": site.storage.uri("empty-data", "nothing/")},
    )
    job = site.models.train(spec)
    assert job.status == "Failed"
    assert "no objects found under onprem://empty-data/nothing/" in job.failure_reason
    with pytest.raises(InvalidArgument, match="no-data is Failed"):
        site.models.deploy(job, "never")


def test_foreign_scheme_channel_is_rejected(site: OnPremProvider) -> None:
    spec = TrainingSpec(name="s3-data", entry_point=str(SKLEARN_CLASSIFIER), inputs={"train": "s3://b/iris/"})
    with pytest.raises(InvalidArgument, match="s3:// scheme"):
        site.models.train(spec)
    with pytest.raises(NotFound):
        site.models.get_training_job("s3-data")


def test_hanging_script_is_killed_at_the_timeout(site: OnPremProvider, tmp_path: Path) -> None:
    import psutil

    script = tmp_path / "hang.py"
    pid_file = tmp_path / "pid"
    script.write_text(
        textwrap.dedent(
            """
            import argparse, os, time
            parser = argparse.ArgumentParser()
            parser.add_argument("--pid-file")
            args = parser.parse_args()
            open(args.pid_file, "w").write(str(os.getpid()))
            print("starting", flush=True)
            time.sleep(120)
            """
        )
    )
    spec = TrainingSpec(
        name="hangs", entry_point=str(script), hyperparameters={"pid-file": str(pid_file)}, timeout_seconds=2
    )
    job = site.models.train(spec)
    assert job.status == "Failed"
    assert "exceeded its 2 s limit" in job.failure_reason
    assert job.duration_seconds is not None and job.duration_seconds < 30
    pid = int(pid_file.read_text())
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert "starting" in site.models.training_logs("hangs")


def test_estimator_spec_training_with_header_and_last_label_column(site: OnPremProvider) -> None:
    features, labels = iris_matrix()
    lines = ["sepal_l,sepal_w,petal_l,petal_w,species"]
    lines += [
        ",".join(f"{v:.1f}" for v in row) + f",{label}" for row, label in zip(features, labels, strict=True)
    ]
    site.storage.create_bucket("tabular")
    site.storage.put_object("tabular", "iris/labelled.csv", ("\n".join(lines) + "\n").encode())
    job = site.models.train_estimator(
        "iris-logreg",
        "sklearn.linear_model.LogisticRegression",
        {"max_iter": 500, "C": 2.0},
        site.storage.uri("tabular", "iris/"),
        label_column=4,
    )
    assert job.status == "Completed", job.failure_reason
    assert job.metrics["validation:accuracy"] > 0.9
    assert job.hyperparameters["estimator"] == "sklearn.linear_model.LogisticRegression"
    endpoint = site.models.deploy(job, "logreg-ep")
    assert endpoint.runtime == "onnxruntime"
    assert [int(v) for v in site.models.predict("logreg-ep", IRIS_ROWS).values] == IRIS_CLASSES


def test_estimator_spec_is_checked_before_any_job(site: OnPremProvider) -> None:
    with pytest.raises(InvalidArgument, match="cannot import 'sklearn.nope'"):
        site.models.train_estimator("e1", "sklearn.nope.Forest", {}, "onprem://tabular/iris/")
    with pytest.raises(InvalidArgument, match="n_trees.*it accepts:.*n_estimators"):
        site.models.train_estimator(
            "e2", "sklearn.ensemble.RandomForestClassifier", {"n_trees": 3}, "onprem://tabular/iris/"
        )
    for name in ("e1", "e2"):
        with pytest.raises(NotFound):
            site.models.get_training_job(name)


# ----------------------------------------------------------------------------- registry
def test_registry_numbers_versions_and_persists(site: OnPremProvider, rf_job: TrainingJob) -> None:
    first = site.models.register_model("iris-registry", rf_job, description="forest")
    second = site.models.register_model("iris-registry", rf_job.model_artifact, metrics={"auc": 0.99})
    assert (first.version, second.version) == (1, 2)
    assert first.metrics["validation:accuracy"] == rf_job.metrics["validation:accuracy"]
    assert first.source_job == "iris-rf" and second.metrics == {"auc": 0.99}
    reopened = OnPremProvider(root=site.root).models
    assert [v.version for v in reopened.list_model_versions("iris-registry")] == [1, 2]
    assert reopened.get_model_version("iris-registry", 1).description == "forest"
    with pytest.raises(NotFound, match="no version 7; existing versions: 1, 2"):
        reopened.get_model_version("iris-registry", 7)
    with pytest.raises(NotFound, match="no model named 'unknown-model'"):
        reopened.list_model_versions("unknown-model")
    with pytest.raises(NotFound, match="existing versions: 1, 2"):
        reopened.deploy("iris-registry/9", "ep-missing-version")


def test_corrupt_artifacts_are_rejected_naming_the_problem(site: OnPremProvider, tmp_path: Path) -> None:
    site.storage.create_bucket("broken")
    empty_tar = io.BytesIO()
    with tarfile.open(fileobj=empty_tar, mode="w:gz") as tar:
        info = tarfile.TarInfo("notes.txt")
        tar.addfile(info, io.BytesIO(b""))
    cases = {
        "text.tar.gz": (b"this is not an archive", "not a tar.gz: it is text starting 'this is not"),
        "zip.tar.gz": (b"PK\x03\x04rest", "not a tar.gz: it is a ZIP archive"),
        "gzip-only.tar.gz": (gzip.compress(b"plain bytes " * 100), "not a readable tar archive"),
        "no-model.tar.gz": (empty_tar.getvalue(), r"no model file .*found \['notes.txt'\]"),
    }
    for key, (data, problem) in cases.items():
        site.storage.put_object("broken", key, data)
        uri = site.storage.uri("broken", key)
        with pytest.raises(InvalidArgument, match=problem):
            site.models.deploy(uri, "broken-ep")
        with pytest.raises(InvalidArgument, match=problem):
            site.models.register_model("broken", uri)
    assert "broken-ep" not in {e.name for e in site.models.list_endpoints()}
    with pytest.raises(NotFound, match="does not exist"):
        site.models.deploy(site.storage.uri("broken", "missing.tar.gz"), "broken-ep")


# ----------------------------------------------------------------------------- ONNX and serving
def test_onnx_export_agrees_with_sklearn_for_forest_and_logistic(
    site: OnPremProvider, rf_job: TrainingJob, tmp_path: Path
) -> None:
    import onnxruntime as ort
    from sklearn.linear_model import LogisticRegression

    features, labels = iris_matrix()
    logistic_uri = store_artifact(
        site, LogisticRegression(max_iter=500).fit(features, labels), "logistic/model.tar.gz", tmp_path
    )
    for index, artifact in enumerate([rf_job.model_artifact, logistic_uri]):
        exported = site.models.export_onnx(artifact)
        assert exported.uri == artifact.replace("model.tar.gz", "model.onnx")
        bucket, key = exported.uri.removeprefix("onprem://").split("/", 1)
        assert site.storage.get_object(bucket, key) == exported.onnx_bytes
        assert exported.n_features == 4
        session = ort.InferenceSession(exported.onnx_bytes, providers=["CPUExecutionProvider"])
        onnx_labels, onnx_proba = session.run(None, {"input": features.astype(np.float32)})
        model = sklearn_model_of(site, artifact, tmp_path / f"unpacked-{index}")
        np.testing.assert_array_equal(onnx_labels, model.predict(features))
        np.testing.assert_allclose(onnx_proba, model.predict_proba(features), atol=1e-5)


def test_deployed_endpoint_serves_onnx_matching_sklearn(
    site: OnPremProvider, rf_job: TrainingJob, tmp_path: Path
) -> None:
    features, _ = iris_matrix()
    endpoint = site.models.deploy(rf_job, "rf-ep")
    assert (endpoint.runtime, endpoint.n_features, endpoint.fallback_reason) == ("onnxruntime", 4, "")
    prediction = site.models.predict("rf-ep", features.tolist())
    model = sklearn_model_of(site, rf_job.model_artifact, tmp_path / "unpacked")
    assert list(prediction.values) == model.predict(features).tolist()
    np.testing.assert_allclose(prediction.probabilities, model.predict_proba(features), atol=1e-5)
    assert prediction.model == "iris-rf" and prediction.latency_ms > 0
    # a fresh provider instance reopens the ONNX session from the endpoint's files
    reopened = OnPremProvider(root=site.root).models
    assert "rf-ep" in {e.name for e in reopened.list_endpoints()}
    assert reopened.predict("rf-ep", IRIS_ROWS).values == tuple(IRIS_CLASSES)
    with pytest.raises(AlreadyExists, match="delete_endpoint"):
        site.models.deploy(rf_job, "rf-ep")
    # deleted through the other instance: the first one's cached session is not used any more
    reopened.delete_endpoint("rf-ep")
    with pytest.raises(NotFound, match="no endpoint named 'rf-ep'"):
        site.models.predict("rf-ep", IRIS_ROWS)


def test_bad_instances_name_the_problem(site: OnPremProvider, rf_job: TrainingJob) -> None:
    site.models.deploy(rf_job, "strict-ep")
    with pytest.raises(InvalidArgument, match="model expects 4 features, got 3"):
        site.models.predict("strict-ep", [[5.1, 3.5, 1.4]])
    with pytest.raises(InvalidArgument, match="got 3 in row 1"):
        site.models.predict("strict-ep", [[5.1, 3.5, 1.4, 0.2], [5.1, 3.5, 1.4]])
    with pytest.raises(InvalidArgument, match="row 0 holds 'tall', which is not a number"):
        site.models.predict("strict-ep", [[5.1, 3.5, 1.4, "tall"]])
    with pytest.raises(InvalidArgument, match="wrap it"):
        site.models.predict("strict-ep", [5.1, 3.5, 1.4, 0.2])
    with pytest.raises(InvalidArgument, match="no instances"):
        site.models.predict("strict-ep", [])


def test_model_skl2onnx_cannot_convert_is_served_by_sklearn(site: OnPremProvider, tmp_path: Path) -> None:
    from sklearn.semi_supervised import LabelSpreading

    features, labels = iris_matrix()
    uri = store_artifact(site, LabelSpreading().fit(features, labels), "spreading/model.tar.gz", tmp_path)
    endpoint = site.models.deploy(uri, "spreading-ep")
    assert endpoint.runtime == "sklearn"
    assert "LabelSpreading" in endpoint.fallback_reason
    prediction = site.models.predict("spreading-ep", IRIS_ROWS)
    assert [int(v) for v in prediction.values] == IRIS_CLASSES
    assert len(prediction.probabilities) == 3 and abs(sum(prediction.probabilities[0]) - 1) < 1e-6
    with pytest.raises(Unsupported, match="skl2onnx cannot convert LabelSpreading"):
        site.models.export_onnx(uri)


# ----------------------------------------------------------------------------- batch
def test_batch_over_local_folders_and_registry_reference(
    site: OnPremProvider, rf_job: TrainingJob, tmp_path: Path
) -> None:
    site.models.register_model("iris-batch", rf_job)
    inputs = tmp_path / "in"
    (inputs / "part").mkdir(parents=True)
    (inputs / "a.csv").write_text("\n".join(",".join(map(str, r)) for r in IRIS_ROWS) + "\n")
    (inputs / "part" / "b.csv").write_text("6.7,3.0,5.2,2.3\n\n")
    (inputs / "README.txt").write_text("not data")
    job = site.models.batch_predict(
        "iris-batch/latest", str(inputs), (tmp_path / "out").as_uri(), job_name="b1"
    )
    assert (job.status, job.records) == ("Completed", 4)
    assert (tmp_path / "out" / "a.csv.out").read_text().split() == [str(c) for c in IRIS_CLASSES]
    assert (tmp_path / "out" / "part" / "b.csv.out").read_text() == "2\n"
    assert OnPremProvider(root=site.root).models.get_batch_prediction_job("b1").records == 4


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"5.1,3.5,1.4,0.2\n6.7,abc,5.2,2.3\n", "bad.csv line 2: 'abc' is not a number"),
        (b"5.1,3.5,1.4\n", "bad.csv line 1 has 3 values; the model expects 4 features"),
        (b"\xff\xfe5.1", "bad.csv is not UTF-8 text"),
    ],
)
def test_corrupt_csv_fails_the_batch_job_and_writes_nothing(
    site: OnPremProvider, rf_job: TrainingJob, body: bytes, reason: str
) -> None:
    bucket = f"corrupt-{uuid.uuid4().hex[:8]}"
    site.storage.create_bucket(bucket)
    site.storage.put_object(bucket, "in/good.csv", b"5.1,3.5,1.4,0.2\n")
    site.storage.put_object(bucket, "in/bad.csv", body)
    job = site.models.batch_predict(
        rf_job.model_artifact, site.storage.uri(bucket, "in/"), site.storage.uri(bucket, "out/")
    )
    assert job.status == "Failed"
    assert reason in job.failure_reason
    assert list(site.storage.list_objects(bucket, "out/")) == []
