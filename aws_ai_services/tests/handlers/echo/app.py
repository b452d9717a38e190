"""Echo: sums the event's numbers and reports what the runtime gave it (counts invocations per worker)."""

import os

INVOCATIONS = 0


def handler(event, context):
    global INVOCATIONS
    INVOCATIONS += 1
    print(f"hello from {context.function_name}")
    return {
        "total": sum(event.get("numbers", [])),
        "invocations": INVOCATIONS,
        "function": context.function_name,
        "request_id": context.aws_request_id,
        "greeting": os.environ.get("GREETING", ""),
        "code": "v1",
    }
