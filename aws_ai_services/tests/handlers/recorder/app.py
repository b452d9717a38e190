"""Writes every event it receives to s3://$RESULTS_BUCKET/$PREFIX/<request id>.json; fails on "poison"."""

import json
import os

import boto3


def handler(event, context):
    bodies = [record.get("body") for record in event.get("Records", [])]
    if "poison" in bodies:
        raise RuntimeError("poison message")
    key = f"{os.environ.get('PREFIX', 'events')}/{context.aws_request_id}.json"
    boto3.client("s3").put_object(Bucket=os.environ["RESULTS_BUCKET"], Key=key, Body=json.dumps(event))
    return {"stored": key, "records": len(bodies)}
