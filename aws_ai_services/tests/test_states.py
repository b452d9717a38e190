"""SageMaker status words map onto the neutral states; the types keep the native word beside them."""

from __future__ import annotations

from multi_cloud.core.types import BatchPredictionJob, Endpoint, EndpointState, JobState, TrainingJob

from aws_ai_services import states


def test_every_sagemaker_job_status_has_a_neutral_state() -> None:
    # the enum values botocore's service model lists for DescribeTrainingJob's TrainingJobStatus
    import botocore.session

    model = botocore.session.get_session().get_service_model("sagemaker")
    for shape in ("TrainingJobStatus", "TransformJobStatus", "EndpointStatus"):
        words = model.shape_for(shape).enum
        mapper = states.endpoint_state if shape == "EndpointStatus" else states.job_state
        assert [w for w in words if mapper(w).value == "UNKNOWN"] == [], shape
    assert states.job_state("Stopping") is JobState.STOPPING and not JobState.STOPPING.finished
    assert states.endpoint_state("SystemUpdating") is EndpointState.UPDATING
    assert states.job_state("SomethingNew") is JobState.UNKNOWN


def test_types_carry_state_and_native_status() -> None:
    job = TrainingJob("j", status="Stopping", provider="aws", state=states.job_state("Stopping"))
    assert (job.state, job.native_status, job.status) == (JobState.STOPPING, "Stopping", "Stopping")
    endpoint = Endpoint("e", status="Updating", provider="aws", state=states.endpoint_state("Updating"))
    assert endpoint.state is EndpointState.UPDATING and endpoint.native_status == "Updating"
    batch = BatchPredictionJob("b", "Completed", "aws", "s3://in", "s3://out", state=JobState.SUCCEEDED)
    assert batch.state.finished
