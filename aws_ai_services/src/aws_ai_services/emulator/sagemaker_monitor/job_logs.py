"""Model Monitor's processing jobs as SageMaker names them and logs them (``/aws/sagemaker/ProcessingJobs``).

SageMaker names the processing job of each monitoring execution ``model-monitoring-<yyyyMMddHHmm of the
scheduled time>-<24 hex digits>`` and, like every processing job, logs it in CloudWatch Logs under
``/aws/sagemaker/ProcessingJobs``, one stream per instance: ``<job name>/algo-1-<epoch seconds>`` (what the
SageMaker SDK's ``wait(logs=True)`` reads, by the prefix ``<job name>/``).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from datetime import datetime

from aws_ai_services.emulator.moto_state import MotoLogs

LOG_GROUP = "/aws/sagemaker/ProcessingJobs"


def execution_job_name(scheduled: datetime) -> str:
    """The processing job name of a monitoring execution scheduled at ``scheduled``."""
    return f"model-monitoring-{scheduled:%Y%m%d%H%M}-{uuid.uuid4().hex[:24]}"


def write_job_logs(job_arn: str, lines: Iterable[str]) -> str:
    """Log ``lines`` as processing job ``job_arn``'s first instance; returns the stream's name."""
    _, _, _, region, account, resource = job_arn.split(":", 5)
    stream = f"{resource.split('/', 1)[1]}/algo-1-{int(time.time())}"
    MotoLogs(account, region).write(LOG_GROUP, stream, lines)
    return stream
