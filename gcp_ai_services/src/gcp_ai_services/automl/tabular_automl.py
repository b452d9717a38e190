"""TabularAutoML: a tabular dataset from a CSV in Cloud Storage, AutoML classification or regression on it.

``budget_milli_node_hours`` is what Vertex bills (1,000 = one node hour, the minimum); the search stops
early once more training stops helping, unless ``disable_early_stopping``.
"""

from __future__ import annotations

from collections.abc import Mapping

from gcp_ai_services.automl.common import AutoMLBase, TrainedModel, trained_model
from gcp_ai_services.errors import google_errors


class TabularAutoML(AutoMLBase):
    def create_dataset(self, display_name: str, gcs_source: str) -> str:
        """A ``TabularDataset`` over ``gs://…csv`` (header row first); its resource name."""
        aiplatform = self._sdk()
        with google_errors("vertex.create_dataset"):
            return str(
                aiplatform.TabularDataset.create(
                    display_name=display_name, gcs_source=gcs_source
                ).resource_name
            )

    def columns(self, dataset: str) -> list[str]:
        aiplatform = self._sdk()
        with google_errors("vertex.get_dataset"):
            return sorted(aiplatform.TabularDataset(dataset).column_names)

    def train(
        self,
        dataset: str,
        target_column: str,
        *,
        prediction_type: str = "classification",
        objective: str | None = None,
        budget_milli_node_hours: int = 1000,
        column_specs: Mapping[str, str] | None = None,
        display_name: str = "automl-tabular",
    ) -> TrainedModel:
        """Run an ``AutoMLTabularTrainingJob`` to the end; the model it registered."""
        aiplatform = self._sdk()
        with google_errors("vertex.automl_tabular"):
            job = aiplatform.AutoMLTabularTrainingJob(
                display_name=display_name,
                optimization_prediction_type=prediction_type,
                optimization_objective=objective,
                column_specs=dict(column_specs) if column_specs else None,
            )
            model = job.run(
                dataset=aiplatform.TabularDataset(dataset),
                target_column=target_column,
                budget_milli_node_hours=budget_milli_node_hours,
                model_display_name=display_name,
            )
            return trained_model(job, model)
