"""AutoML text on Vertex AI today: deprecated in favour of Gemini, so training is refused with Google's
FAILED_PRECONDITION and a message naming what to use instead; text datasets themselves still work."""

from __future__ import annotations

from typing import Any

import pytest
from google.api_core import exceptions
from google.cloud import aiplatform

from . import automl_support
from .automl_support import upload_text
from .conftest import status_of

automl_bucket = automl_support.automl_bucket


def test_automl_text_training_is_refused_naming_gemini(automl_bucket: Any) -> None:
    source = upload_text(automl_bucket, "reviews.csv", '"Great",positive\n"Awful",negative\n')
    dataset = aiplatform.TextDataset.create(
        display_name="reviews",
        gcs_source=source,
        import_schema_uri=aiplatform.schema.dataset.ioformat.text.single_label_classification,
    )
    job = aiplatform.AutoMLTextTrainingJob(
        display_name="reviews-automl", prediction_type="classification", multi_label=False
    )
    with pytest.raises(exceptions.BadRequest) as refused:
        job.run(dataset=dataset)
    assert status_of(refused.value) == "FAILED_PRECONDITION"
    assert "Gemini" in str(refused.value) and "CustomTrainingJob" in str(refused.value)
    assert aiplatform.AutoMLTextTrainingJob.list() == []  # nothing was created
