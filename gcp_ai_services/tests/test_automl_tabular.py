"""AutoML tabular through plain ``google-cloud-aiplatform``: a real model search in the emulator, Google's
evaluation schema, the winner deployed and predicting from column → value instances."""

from __future__ import annotations

from typing import Any

import pytest
from gcp_ai_services.automl.sample_data import churn_csv, house_prices_csv
from google.api_core import exceptions
from google.cloud import aiplatform

from . import automl_support
from .automl_support import upload_text
from .conftest import status_of

automl_bucket = automl_support.automl_bucket


def test_classification_search_evaluate_deploy_predict(automl_bucket: Any) -> None:
    uri = upload_text(automl_bucket, "churn.csv", churn_csv())
    dataset = aiplatform.TabularDataset.create(display_name="churn", gcs_source=uri)
    assert sorted(dataset.column_names) == sorted(  # the SDK reads the header itself, as a set
        ["tenure_months", "monthly_charges", "contract", "internet", "support_calls", "churned"]
    )
    job = aiplatform.AutoMLTabularTrainingJob(
        display_name="churn-automl", optimization_prediction_type="classification"
    )
    model = job.run(dataset=dataset, target_column="churned", budget_milli_node_hours=1000)

    assert job.state.name == "PIPELINE_STATE_SUCCEEDED"
    search = job.gca_resource.training_task_metadata["localSearch"]
    assert len(search["trials"]) >= 3 and {t["family"] for t in search["trials"]} >= {
        "linear",
        "random_forest",
    }
    evaluation = model.get_model_evaluation()
    metrics = evaluation.metrics
    assert evaluation.gca_resource.metrics_schema_uri.endswith("classification_metrics_1.0.0.yaml")
    assert 0.8 < metrics["auRoc"] <= 1.0 and 0.0 < metrics["logLoss"] < 0.6
    assert {"auPrc", "confidenceMetrics", "confusionMatrix"} <= set(metrics)
    matrix = metrics["confusionMatrix"]
    assert sorted(s["displayName"] for s in matrix["annotationSpecs"]) == ["no", "yes"]
    assert sum(sum(row) for row in matrix["rows"]) == 120  # the 10 % test split
    assert [e.resource_name for e in model.list_model_evaluations()] == [evaluation.resource_name]

    endpoint = model.deploy(machine_type="n1-standard-4")
    loyal = {
        "tenure_months": "70",
        "monthly_charges": "25.0",
        "contract": "two-year",
        "internet": "none",
        "support_calls": "0",
    }
    leaving = {
        "tenure_months": "2",
        "monthly_charges": "110",
        "contract": "month-to-month",
        "internet": "fiber",
        "support_calls": "6",
    }
    answer = endpoint.predict(instances=[loyal, leaving]).predictions
    assert [p["classes"] for p in answer] == [["no", "yes"], ["no", "yes"]]
    assert answer[0]["scores"][0] > 0.8 and answer[1]["scores"][1] > 0.8
    with pytest.raises(exceptions.BadRequest) as bad:
        endpoint.predict(instances=[{"tenure": "3"}])
    assert "tenure" in str(bad.value)
    endpoint.undeploy_all()
    endpoint.delete()
    model.delete()
    dataset.delete()


def test_regression_reports_google_regression_metrics(automl_bucket: Any) -> None:
    uri = upload_text(automl_bucket, "houses.csv", house_prices_csv())
    dataset = aiplatform.TabularDataset.create(display_name="houses", gcs_source=uri)
    job = aiplatform.AutoMLTabularTrainingJob(
        display_name="houses-automl",
        optimization_prediction_type="regression",
        optimization_objective="minimize-mae",
        column_specs={
            "area_m2": "numeric",
            "rooms": "auto",
            "district": "categorical",
            "age_years": "numeric",
        },
    )
    model = job.run(dataset=dataset, target_column="price_k", budget_milli_node_hours=1000)
    metrics = model.get_model_evaluation().metrics
    assert model.get_model_evaluation().gca_resource.metrics_schema_uri.endswith(
        "regression_metrics_1.0.0.yaml"
    )
    assert metrics["rSquared"] > 0.8 and metrics["meanAbsoluteError"] < metrics["rootMeanSquaredError"] * 1.01
    endpoint = model.deploy()
    [answer] = endpoint.predict(
        instances=[{"area_m2": "120", "rooms": "4", "district": "centre", "age_years": "10"}]
    ).predictions
    assert answer["lower_bound"] < answer["value"] < answer["upper_bound"]
    assert 500 < answer["value"] < 1100
    endpoint.undeploy_all()


def test_missing_target_column_fails_the_pipeline_naming_it(automl_bucket: Any) -> None:
    uri = upload_text(automl_bucket, "churn.csv", churn_csv())
    dataset = aiplatform.TabularDataset.create(display_name="churn", gcs_source=uri)
    job = aiplatform.AutoMLTabularTrainingJob(
        display_name="bad-target",
        optimization_prediction_type="classification",
        column_specs={"tenure_months": "numeric"},
    )
    with pytest.raises(RuntimeError) as failed:
        job.run(dataset=dataset, target_column="cancelled", budget_milli_node_hours=1000)
    assert "cancelled" in str(failed.value)
    assert job.state.name == "PIPELINE_STATE_FAILED"
    assert job.gca_resource.error.code == 3  # INVALID_ARGUMENT


def test_too_few_rows_fail_and_bad_budget_is_refused(automl_bucket: Any) -> None:
    uri = upload_text(automl_bucket, "small.csv", churn_csv(rows=200))
    dataset = aiplatform.TabularDataset.create(display_name="small", gcs_source=uri)
    job = aiplatform.AutoMLTabularTrainingJob(
        display_name="small", optimization_prediction_type="classification"
    )
    with pytest.raises(RuntimeError) as failed:
        job.run(dataset=dataset, target_column="churned", budget_milli_node_hours=1000)
    assert "200 rows" in str(failed.value) and "1,000" in str(failed.value)
    job = aiplatform.AutoMLTabularTrainingJob(
        display_name="cheap", optimization_prediction_type="classification"
    )
    with pytest.raises(exceptions.BadRequest) as refused:
        job.run(dataset=dataset, target_column="churned", budget_milli_node_hours=10)
    assert status_of(refused.value) == "INVALID_ARGUMENT" and "1,000" in str(refused.value)
    with pytest.raises(exceptions.GoogleAPICallError) as weights:
        job.run(dataset=dataset, target_column="churned", weight_column="support_calls")
    assert status_of(weights.value) == "UNIMPLEMENTED" and "weightColumnName" in str(weights.value)
