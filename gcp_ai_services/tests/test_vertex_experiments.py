"""Vertex AI Experiments through plain ``google-cloud-aiplatform``: runs, params and metrics in ML Metadata.

The SDK keeps experiments in the metadata store (contexts) and links them to the default Tensorboard; the
emulator keeps both, so ``get_experiment_df`` reads back what was logged. Google's error codes for bad input.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from google.api_core import exceptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import aiplatform

from .conftest import status_of

PROJECT = "cloudai-local"
STORE = f"projects/{PROJECT}/locations/us-central1/metadataStores/default"


@pytest.fixture
def experiment(clean_google: Any) -> str:
    aiplatform.init(
        project=PROJECT,
        location="us-central1",
        api_endpoint=os.environ["CLOUDAI_GCP_ENDPOINT"],
        api_transport="rest",
        credentials=AnonymousCredentials(),
        experiment="iris-tuning",
        experiment_description="depth against accuracy",
    )
    return "iris-tuning"


def metadata_client() -> Any:
    from google.cloud.aiplatform_v1 import MetadataServiceClient

    return MetadataServiceClient(
        transport="rest",
        client_options={"api_endpoint": os.environ["CLOUDAI_GCP_ENDPOINT"]},
        credentials=AnonymousCredentials(),
    )


def test_runs_params_and_metrics_come_back_in_the_experiment_df(experiment: str) -> None:
    for depth, accuracy in ((2, 0.81), (5, 0.94)):
        aiplatform.start_run(f"depth-{depth}")
        aiplatform.log_params({"max_depth": depth, "criterion": "gini"})
        aiplatform.log_metrics({"accuracy": accuracy})
        aiplatform.end_run()

    frame = aiplatform.get_experiment_df().sort_values("run_name")
    assert list(frame["run_name"]) == ["depth-2", "depth-5"]
    assert list(frame["param.max_depth"]) == [2, 5]
    assert list(frame["param.criterion"]) == ["gini", "gini"]
    assert list(frame["metric.accuracy"]) == [0.81, 0.94]
    assert set(frame["state"]) == {"COMPLETE"}

    run = aiplatform.ExperimentRun("depth-5", experiment=experiment)
    assert run.get_params() == {"max_depth": 5, "criterion": "gini"}
    assert run.get_metrics() == {"accuracy": 0.94}
    assert aiplatform.Experiment(experiment).get_data_frame().shape[0] == 2
    assert [e.name for e in aiplatform.Experiment.list()] == [experiment]


def test_a_resumed_run_adds_to_what_it_logged(experiment: str) -> None:
    with aiplatform.start_run("long-run") as run:
        run.log_params({"epochs": 3})
    aiplatform.start_run("long-run", resume=True)
    aiplatform.log_metrics({"loss": 0.25})
    aiplatform.end_run()

    run = aiplatform.ExperimentRun("long-run", experiment=experiment)
    assert (run.get_params(), run.get_metrics()) == ({"epochs": 3}, {"loss": 0.25})


def test_metadata_errors_are_googles(experiment: str) -> None:
    aiplatform.start_run("curves")
    with pytest.raises(exceptions.MethodNotImplemented, match="runs/curves:write"):
        aiplatform.log_time_series_metrics({"loss": 0.5}, step=1)
    aiplatform.end_run()
    client = metadata_client()
    with pytest.raises(exceptions.NotFound, match="contexts/no-such-run not found"):
        client.get_context(name=f"{STORE}/contexts/no-such-run")
    with pytest.raises(exceptions.Conflict, match="already exists") as taken:
        client.create_context(parent=STORE, context={"display_name": "again"}, context_id=experiment)
    assert status_of(taken.value) == "ALREADY_EXISTS"
    with pytest.raises(exceptions.BadRequest, match="Invalid filter clause") as bad:
        list(client.list_contexts(request={"parent": STORE, "filter": "display_name ~~ 'x'"}))
    assert status_of(bad.value) == "INVALID_ARGUMENT"
    with pytest.raises(exceptions.NotFound, match="MetadataStore .*/metadataStores/other not found"):
        client.get_metadata_store(name=STORE.replace("default", "other"))


def test_lineage_links_executions_and_artifacts(experiment: str) -> None:
    client = metadata_client()
    data = client.create_artifact(
        parent=STORE, artifact={"display_name": "iris.csv", "uri": "gs://b/iris.csv"}, artifact_id="iris-data"
    )
    training = client.create_execution(
        parent=STORE, execution={"display_name": "train", "schema_title": "system.ContainerExecution"}
    )
    client.add_execution_events(execution=training.name, events=[{"artifact": data.name, "type_": "INPUT"}])
    context = f"{STORE}/contexts/{experiment}"
    client.add_context_artifacts_and_executions(
        context=context, artifacts=[data.name], executions=[training.name]
    )
    graph = client.query_context_lineage_subgraph(context=context)
    assert [a.uri for a in graph.artifacts] == ["gs://b/iris.csv"]
    assert [e.display_name for e in graph.executions] == ["train"]
    assert [(e.artifact, e.type_.name) for e in graph.events] == [(data.name, "INPUT")]
    inputs = client.list_artifacts(request={"parent": STORE, "filter": f'in_context("{context}")'})
    assert [a.name for a in inputs] == [data.name]


def test_deleting_runs_and_the_experiment(experiment: str) -> None:
    aiplatform.start_run("short")
    aiplatform.log_metrics({"accuracy": 0.5})
    aiplatform.end_run()
    aiplatform.ExperimentRun("short", experiment=experiment).delete()
    assert aiplatform.get_experiment_df().empty
    aiplatform.Experiment(experiment).delete()
    assert aiplatform.Experiment.list() == []
    with pytest.raises(exceptions.NotFound, match=f"contexts/{experiment} not found"):
        metadata_client().get_context(name=f"{STORE}/contexts/{experiment}")
