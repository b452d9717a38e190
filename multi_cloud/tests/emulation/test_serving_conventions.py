"""Each framework's serving conventions: SageMaker scikit-learn handlers, Vertex prebuilt containers,
Azure ML scoring scripts."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pytest
from multi_cloud.core.errors import InvalidArgument
from multi_cloud.emulation.serving.azureml_scoring import ScoringError, ScoringScript
from multi_cloud.emulation.serving.payloads import UnsupportedMediaType
from multi_cloud.emulation.serving.sklearn_container import DEFAULT_HANDLER, SklearnHandler
from multi_cloud.emulation.serving.vertex_prebuilt import PredictionError, load_prebuilt_model

ROWS = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]


@pytest.fixture(scope="module")
def iris_model():  # type: ignore[no-untyped-def]
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    data = load_iris()
    return LogisticRegression(max_iter=500).fit(data.data, data.target)


def _dump(model, folder: Path, name: str) -> Path:  # type: ignore[no-untyped-def]
    import joblib

    folder.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, folder / name)
    return folder


def test_sklearn_default_handler_is_the_containers(iris_model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    model = DEFAULT_HANDLER.model_fn(str(_dump(iris_model, tmp_path / "m", "model.joblib")))
    body, kind = DEFAULT_HANDLER.invoke(model, b"5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n", "text/csv", "text/csv")
    assert (body, kind) == (b"0\n2\n", "text/csv; charset=utf-8")
    verbose, _ = DEFAULT_HANDLER.invoke(
        model, json.dumps(ROWS).encode(), "application/json", "application/json;verbose"
    )
    assert np.allclose(json.loads(verbose)["probabilities"], iris_model.predict_proba(np.asarray(ROWS)))
    with pytest.raises(InvalidArgument, match="expects 4 features per row, got 2"):
        DEFAULT_HANDLER.invoke(model, b"1,2\n", "text/csv", "")
    with pytest.raises(UnsupportedMediaType):
        DEFAULT_HANDLER.invoke(model, b"<x/>", "application/xml", "")


def test_sklearn_inference_script_overrides_what_it_defines(iris_model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    script = tmp_path / "code" / "inference.py"
    script.parent.mkdir()
    script.write_text(
        textwrap.dedent(
            """
            import json, os, joblib
            def model_fn(model_dir):
                return joblib.load(os.path.join(model_dir, "classifier.pkl"))
            def output_fn(prediction, accept):
                names = ["setosa", "versicolor", "virginica"]
                return json.dumps({"species": [names[int(v)] for v in prediction.values]}), "application/json"
            """
        )
    )
    handler = SklearnHandler.from_script(script)
    assert handler.input_fn is DEFAULT_HANDLER.input_fn and handler.predict_fn is DEFAULT_HANDLER.predict_fn
    model = handler.model_fn(str(_dump(iris_model, tmp_path / "m", "classifier.pkl")))
    body, kind = handler.invoke(model, b"5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n", "text/csv", "application/json")
    assert (json.loads(body), kind) == ({"species": ["setosa", "virginica"]}, "application/json")
    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('no GPU here')\n")
    with pytest.raises(InvalidArgument, match="importing broken.py failed: RuntimeError: no GPU here"):
        SklearnHandler.from_script(broken)


def test_vertex_prebuilt_containers_answer_instances_with_predictions(iris_model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for name in ("model.joblib", "model.pkl"):
        served = load_prebuilt_model(_dump(iris_model, tmp_path / name, name))
        assert served.predict({"instances": ROWS, "parameters": {}}) == {"predictions": [0, 2]}
    with pytest.raises(PredictionError, match='non-empty "instances"') as missing:
        served.predict({"rows": ROWS})
    assert missing.value.status == 400
    with pytest.raises(PredictionError, match="rows of numbers") as bad:
        served.predict({"instances": [["a", "b", "c", "d"]]})
    assert bad.value.status == 400
    two = _dump(iris_model, _dump(iris_model, tmp_path / "two", "model.joblib"), "model.pkl")
    with pytest.raises(PredictionError, match="exactly one of") as ambiguous:
        load_prebuilt_model(two)
    assert ambiguous.value.status == 500
    (tmp_path / "bst").mkdir()
    (tmp_path / "bst" / "model.bst").write_bytes(b"\x00")
    try:
        import xgboost  # noqa: F401
    except ImportError:
        with pytest.raises(PredictionError, match="install xgboost"):
            load_prebuilt_model(tmp_path / "bst")


def test_azureml_scoring_script_init_once_then_run(iris_model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    model_dir = _dump(iris_model, tmp_path / "model", "model.pkl")
    script = tmp_path / "score.py"
    script.write_text(
        textwrap.dedent(
            """
            import json, os, joblib
            model = None
            calls = 0
            def init():
                global model, calls
                model = joblib.load(os.path.join(os.environ["AZUREML_MODEL_DIR"], "model.pkl"))
                calls += 1
            def run(raw_data):
                data = json.loads(raw_data)["data"]
                if not data:
                    raise ValueError("no rows")
                return {"predictions": model.predict(data), "inits": calls}
            """
        )
    )
    scoring = ScoringScript(script, model_dir)
    answer = json.loads(scoring.run(json.dumps({"data": ROWS}).encode()))
    assert answer == {"predictions": [0, 2], "inits": 1}
    assert json.loads(scoring.run(json.dumps({"data": ROWS[:1]})))["inits"] == 1  # init ran once
    with pytest.raises(ScoringError, match="run\\(\\) failed: ValueError: no rows") as failed:
        scoring.run(b'{"data": []}')
    assert failed.value.status == 500
    no_run = tmp_path / "no_run.py"
    no_run.write_text("def init():\n    pass\n")
    with pytest.raises(ScoringError, match="must define run\\(\\)") as unhealthy:
        ScoringScript(no_run, model_dir)
    assert unhealthy.value.status == 502
    bad_init = tmp_path / "bad_init.py"
    bad_init.write_text("def init():\n    open('/nonexistent/model.pkl')\ndef run(raw):\n    return raw\n")
    with pytest.raises(ScoringError, match="init\\(\\) failed: FileNotFoundError"):
        ScoringScript(bad_init, model_dir)
    echo = tmp_path / "echo.py"
    echo.write_text("def init():\n    pass\ndef run(raw):\n    return raw.upper()\n")
    assert ScoringScript(echo, model_dir).run("hi") == b'"HI"'  # a str answer is sent as a JSON string
