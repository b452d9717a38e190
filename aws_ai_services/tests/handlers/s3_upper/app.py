"""On an S3 upload: read the object, write its upper-cased text under processed/."""

from urllib.parse import unquote_plus

import boto3

s3 = boto3.client("s3")


def handler(event, context):
    written = []
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])
        text = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
        target = "processed/" + key.split("/", 1)[-1]
        s3.put_object(Bucket=bucket, Key=target, Body=text.upper().encode())
        written.append(target)
    return written
