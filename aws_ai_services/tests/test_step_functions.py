"""Step Functions on the local cloud: moto's interpreter runs the ASL; Task states run real Lambda code."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from aws_ai_services.emulator import lambda_runtime, lambda_triggers, stepfunctions_errors
from aws_ai_services.serverless import asl
from aws_ai_services.serverless.lambda_functions import LambdaFunctions
from aws_ai_services.serverless.step_functions import StepFunctionsWorkflows
from multi_cloud.core.errors import InvalidArgument, NotFound

HANDLERS = Path(__file__).parent / "handlers"
MODEL = json.loads((HANDLERS / "pipeline" / "model.json").read_text())


@pytest.fixture(scope="module", autouse=True)
def moto_patches() -> None:
    lambda_runtime.install()  # cloudai.moto_patches entry points do this when the cloud starts; idempotent
    lambda_triggers.install()
    stepfunctions_errors.install()


@pytest.fixture
def lambdas(clean_cloud: Any) -> LambdaFunctions:
    return LambdaFunctions()


@pytest.fixture
def workflows(clean_cloud: Any) -> StepFunctionsWorkflows:
    return StepFunctionsWorkflows()


@pytest.fixture
def pipeline_arns(lambdas: LambdaFunctions) -> dict[str, str]:
    """The three pipeline functions, deployed from one package with three handlers."""
    arns = {}
    for step in ("preprocess", "predict", "postprocess"):
        config = lambdas.deploy(step, str(HANDLERS / "pipeline"), f"steps.{step}")
        arns[step] = config["FunctionArn"].rsplit(":", 1)[0]  # the unqualified ARN runs $LATEST
    return arns


def expected_predictions(rows: list[list[float]]) -> list[tuple[str, float]]:
    """The pipeline's answer computed here, independently of the functions."""
    answers = []
    for row in rows:
        scaled = [(x - m) / s for x, m, s in zip(row, MODEL["means"], MODEL["scales"], strict=True)]
        score = 1 / (
            1 + math.exp(-(MODEL["bias"] + sum(w * x for w, x in zip(MODEL["weights"], scaled, strict=True))))
        )
        answers.append(
            ("positive" if score >= MODEL["threshold"] else "negative", round(max(score, 1 - score), 6))
        )
    return answers


def test_ai_pipeline_runs_preprocess_predict_postprocess(
    workflows: StepFunctionsWorkflows, pipeline_arns: dict[str, str]
) -> None:
    definition = asl.chain(
        [
            ("Preprocess", asl.lambda_task(pipeline_arns["preprocess"])),
            ("Predict", asl.lambda_task(pipeline_arns["predict"])),
            ("Postprocess", asl.lambda_task(pipeline_arns["postprocess"])),
        ],
        comment="standardise, score, label",
    )
    machine = workflows.create("inference", definition)
    rows = [[6.9, 3.1, 5.4], [4.9, 3.6, 1.4], [5.8, 2.7, 4.1]]
    execution = workflows.run(machine, {"rows": rows, "ids": ["a", "b", "c"]})
    assert execution.succeeded, execution.cause
    got = [(p["label"], p["confidence"]) for p in execution.output["predictions"]]
    assert got == expected_predictions(rows)
    assert [p["id"] for p in execution.output["predictions"]] == ["a", "b", "c"]
    assert execution.output["positives"] == sum(label == "positive" for label, _ in got)
    assert workflows.states_entered(execution.arn) == ["Preprocess", "Predict", "Postprocess"]
    history_types = [event["type"] for event in workflows.history(execution.arn)]
    assert history_types.count("LambdaFunctionSucceeded") == 3
    assert history_types[0] == "ExecutionStarted" and history_types[-1] == "ExecutionSucceeded"


def test_a_failing_task_fails_the_execution_with_the_lambda_error(
    workflows: StepFunctionsWorkflows, pipeline_arns: dict[str, str]
) -> None:
    machine = workflows.create(
        "strict", asl.chain([("Preprocess", asl.lambda_task(pipeline_arns["preprocess"]))])
    )
    execution = workflows.run(machine, {"rows": [[1.0, 2.0]]})
    assert execution.status == "FAILED"
    assert execution.error == "ValueError"
    cause = json.loads(execution.cause)
    assert cause["errorMessage"] == "every row needs 3 features" and cause["errorType"] == "ValueError"


def test_catch_routes_a_lambda_error_to_a_fallback_state(
    workflows: StepFunctionsWorkflows, pipeline_arns: dict[str, str]
) -> None:
    task = asl.lambda_task(pipeline_arns["preprocess"])
    task["Catch"] = [{"ErrorEquals": ["ValueError"], "ResultPath": "$.failure", "Next": "Rejected"}]
    definition = {
        "StartAt": "Preprocess",
        "States": {
            "Preprocess": {**task, "End": True},
            "Rejected": {"Type": "Pass", "Parameters": {"rejected.$": "$.failure.Error"}, "End": True},
        },
    }
    execution = workflows.run(workflows.create("forgiving", definition), {"rows": [[1.0]]})
    assert execution.succeeded
    assert execution.output == {"rejected": "ValueError"}
    assert workflows.states_entered(execution.arn) == ["Preprocess", "Rejected"]


def test_invalid_definition_is_invalid_argument_with_awss_message(workflows: StepFunctionsWorkflows) -> None:
    with pytest.raises(InvalidArgument) as caught:
        workflows.create("broken", {"StartAt": "A", "States": {"A": {"Type": "Teleport", "End": True}}})
    assert caught.value.code == "InvalidDefinition"  # the service's own answer
    assert "Teleport" in caught.value.message


def test_missing_transition_target_is_found_before_sending(workflows: StepFunctionsWorkflows) -> None:
    definition = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Next": "Nowhere"}, "B": {"Type": "Succeed"}},
    }
    assert workflows.validate(definition) == [
        "MISSING_TRANSITION_TARGET: Missing 'Next' target: Nowhere at /States/A/Next",
        "UNREACHABLE_STATE: State B is not reachable at /States/B",
    ]
    with pytest.raises(InvalidArgument, match="MISSING_TRANSITION_TARGET"):
        workflows.create("dangling", definition)


def test_unknown_executions_and_machines_are_not_found(workflows: StepFunctionsWorkflows) -> None:
    prefix = "arn:aws:states:us-east-1:123456789012"
    with pytest.raises(NotFound, match="ExecutionDoesNotExist"):
        workflows.describe(f"{prefix}:execution:ghost:run-1")
    with pytest.raises(NotFound, match="StateMachineDoesNotExist"):
        workflows.start(f"{prefix}:stateMachine:ghost", {})


def test_create_again_updates_the_definition(workflows: StepFunctionsWorkflows) -> None:
    first = asl.chain([("Hello", {"Type": "Pass", "Result": {"release": 1}})])
    second = asl.chain([("Hello", {"Type": "Pass", "Result": {"release": 2}})])
    arn = workflows.create("greeter", first)
    assert workflows.create("greeter", second) == arn
    assert workflows.run(arn).output == {"release": 2}


def test_chain_links_states_and_keeps_terminal_ones() -> None:
    definition = asl.chain([("A", {"Type": "Pass"}), ("B", {"Type": "Pass"}), ("Done", {"Type": "Succeed"})])
    assert definition["StartAt"] == "A"
    assert definition["States"]["A"]["Next"] == "B" and definition["States"]["B"]["Next"] == "Done"
    assert definition["States"]["Done"] == {"Type": "Succeed"}
    assert asl.static_problems(definition) == []
    with pytest.raises(ValueError):
        asl.chain([])
