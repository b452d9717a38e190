"""AutoML text on Vertex AI today: deprecated in favour of Gemini, so new AutoML text training is refused.

What replaced it: prompting Gemini, or Gemini supervised tuning on JSON Lines examples (Generative AI on
Vertex AI). A classic text classifier can still be trained on Vertex: AutoML *tabular* with a ``text``
column (it needs 1,000+ rows), or your own model in a ``CustomTrainingJob``. This module shows all three
facts through the SDK: the refusal, the tabular route and the status record.
"""

from __future__ import annotations

from dataclasses import dataclass

from multi_cloud.core.errors import CloudError

from gcp_ai_services.automl.common import AutoMLBase, TrainedModel
from gcp_ai_services.automl.tabular_automl import TabularAutoML
from gcp_ai_services.errors import google_errors


@dataclass(frozen=True)
class ProductStatus:
    product: str
    status: str
    replaced_by: str
    reference: str


#: what the learner would use today, with the sources checked (December 2026)
STATUS = (
    ProductStatus(
        "AutoML Text on Vertex AI (classification, entity extraction, sentiment)",
        "deprecated; new training refused (Google: 'AutoML Text is deprecated'; Apache Airflow marked its "
        "Vertex AutoML text operators deprecated in September 2024)",
        "Gemini prompting or Gemini supervised tuning; AutoML tabular with a text column; custom training",
        "https://cloud.google.com/vertex-ai/docs/start/automl-gemini-comparison",
    ),
    ProductStatus(
        "Legacy AutoML Natural Language (automl.googleapis.com)",
        "shut down on March 15, 2024",
        "Vertex AI (then Gemini for text)",
        "https://cloud.google.com/natural-language/automl/docs",
    ),
    ProductStatus(
        "Legacy AutoML Vision (automl.googleapis.com)",
        "shut down on March 31, 2024",
        "Vertex AI AutoML image (AutoMLImageTrainingJob)",
        "https://cloud.google.com/vision/automl/docs",
    ),
    ProductStatus(
        "Legacy AutoML Tables",
        "folded into Vertex AI",
        "Vertex AI AutoML tabular (AutoMLTabularTrainingJob)",
        "https://cloud.google.com/vertex-ai/docs/start/migrating-applications",
    ),
)


@dataclass(frozen=True)
class TextTrainingRefusal:
    """What Vertex answered to ``AutoMLTextTrainingJob.run``: the status and Google's message."""

    status: str
    message: str


class NLPAutoML(AutoMLBase):
    def try_automl_text(self, dataset: str, *, display_name: str = "automl-text") -> TextTrainingRefusal:
        """Ask Vertex for an AutoML text classifier; the refusal it answers today (raises if it trained)."""
        aiplatform = self._sdk()
        job = aiplatform.AutoMLTextTrainingJob(
            display_name=display_name, prediction_type="classification", multi_label=False
        )
        try:
            with google_errors("vertex.automl_text"):
                job.run(dataset=aiplatform.TextDataset(dataset))
        except CloudError as err:
            return TextTrainingRefusal(type(err).__name__, str(err))
        raise RuntimeError(
            "Vertex trained an AutoML text model: the product status in this module is out of date"
        )

    def train_with_tabular(
        self, dataset: str, text_column: str, label_column: str, *, budget_milli_node_hours: int = 1000
    ) -> TrainedModel:
        """A text classifier by AutoML tabular: the text column typed ``text``, the label the target."""
        tabular = TabularAutoML(self.settings)
        return tabular.train(
            dataset,
            label_column,
            prediction_type="classification",
            column_specs={text_column: "text"},
            budget_milli_node_hours=budget_milli_node_hours,
            display_name="text-as-tabular",
        )
