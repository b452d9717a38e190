"""Training-job round trip: plain boto3 CreateTrainingJob of the tour model until Describe says Completed.

Run: python benchmarks/sagemaker_training.py   (starts its own in-process local cloud)

The job runs server-side (the local cloud's SageMaker): channels staged from S3, the tour's scikit-learn
script run under the script-mode contract, model.tar.gz uploaded, logs to CloudWatch. Baseline in the same
run: the same job with the fork server off (CLOUDAI_NO_FORKSERVER=1), i.e. a fresh interpreter per job that
imports scikit-learn itself. Goal: <= 1.5 s per round trip with the fork server.
"""

from __future__ import annotations

import io
import os
import statistics
import tarfile
import time
import uuid

RUNS = 5
SKLEARN_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.4-2"


def main() -> None:
    import boto3
    from multi_cloud.demos.scripts import SKLEARN_CLASSIFIER, iris_csv
    from multi_cloud.local_cloud import LocalCloud

    cloud = LocalCloud(["moto"]).start()
    cloud.apply_env()
    try:
        s3, sagemaker = boto3.client("s3"), boto3.client("sagemaker")
        bucket = f"bench-{uuid.uuid4().hex[:8]}"
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="train/iris.csv", Body=iris_csv())
        archive = io.BytesIO()
        with tarfile.open(fileobj=archive, mode="w:gz") as tar:
            tar.add(SKLEARN_CLASSIFIER, arcname=SKLEARN_CLASSIFIER.name)
        s3.put_object(Bucket=bucket, Key="code/sourcedir.tar.gz", Body=archive.getvalue())

        def round_trip() -> float:
            name = f"bench-{uuid.uuid4().hex[:8]}"
            started = time.perf_counter()
            sagemaker.create_training_job(
                TrainingJobName=name,
                RoleArn="arn:aws:iam::123456789012:role/SageMakerRole",
                AlgorithmSpecification={
                    "TrainingImage": SKLEARN_IMAGE,
                    "TrainingInputMode": "File",
                    "MetricDefinitions": [{"Name": "accuracy", "Regex": r"validation:accuracy=([0-9.]+)"}],
                },
                HyperParameters={
                    "sagemaker_program": f'"{SKLEARN_CLASSIFIER.name}"',
                    "sagemaker_submit_directory": f'"s3://{bucket}/code/sourcedir.tar.gz"',
                    "n-estimators": "50",
                },
                InputDataConfig=[
                    {
                        "ChannelName": "train",
                        "DataSource": {
                            "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{bucket}/train/"}
                        },
                    }
                ],
                OutputDataConfig={"S3OutputPath": f"s3://{bucket}/output"},
                ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10},
                StoppingCondition={"MaxRuntimeInSeconds": 600},
            )
            delay = 0.02
            while (status := sagemaker.describe_training_job(TrainingJobName=name)["TrainingJobStatus"]) in (
                "InProgress",
                "Stopping",
            ):
                time.sleep(delay)
                delay = min(delay * 1.5, 0.2)
            assert status == "Completed", sagemaker.describe_training_job(TrainingJobName=name).get(
                "FailureReason"
            )
            return time.perf_counter() - started

        print("training round trip (plain boto3, tour model: iris, random forest of 50 trees)")
        for label, env in (("fresh interpreter (baseline)", "1"), ("fork server", "")):
            if env:
                os.environ["CLOUDAI_NO_FORKSERVER"] = env
            else:
                os.environ.pop("CLOUDAI_NO_FORKSERVER", None)
                round_trip()  # starts the fork server once, as the first job of a session does
            samples = [round_trip() for _ in range(RUNS)]
            spread = f"min {min(samples):.2f}, max {max(samples):.2f}, n={RUNS}"
            print(f"  {label:30s} median {statistics.median(samples):.2f} s  ({spread})")
    finally:
        cloud.stop()


if __name__ == "__main__":
    main()
