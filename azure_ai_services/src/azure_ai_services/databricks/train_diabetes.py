"""A Databricks job's training script: a ridge regression on scikit-learn's diabetes data, logged to MLflow.

Run as a ``spark_python_task`` with ``--alpha 0.5 --experiment /Shared/diabetes``. Inside a Databricks
task MLflow's tracking URI is the workspace (``MLFLOW_TRACKING_URI``), so the parameters, the metrics and
the model land in the workspace's experiment; the run id is printed for the job's output.
"""

from __future__ import annotations

import argparse


def main() -> None:
    import mlflow
    import mlflow.sklearn
    import sklearn
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import Ridge
    from sklearn.metrics import mean_squared_error, r2_score
    from sklearn.model_selection import train_test_split

    parser = argparse.ArgumentParser()
    parser.add_argument("--alpha", type=float, default=1.0)
    parser.add_argument("--experiment", default="/Shared/diabetes")
    args = parser.parse_args()

    features, target = load_diabetes(return_X_y=True, as_frame=True)
    x_train, x_test, y_train, y_test = train_test_split(features, target, test_size=0.25, random_state=42)
    mlflow.set_experiment(args.experiment)
    with mlflow.start_run(run_name=f"ridge-alpha-{args.alpha}") as run:
        model = Ridge(alpha=args.alpha).fit(x_train, y_train)
        predictions = model.predict(x_test)
        rmse = mean_squared_error(y_test, predictions) ** 0.5
        mlflow.log_param("alpha", args.alpha)
        mlflow.log_metric("rmse", rmse)
        mlflow.log_metric("r2", r2_score(y_test, predictions))
        # the environment the model needs, pinned (otherwise MLflow infers it in a subprocess: ~4 s)
        requirements = [f"scikit-learn=={sklearn.__version__}"]
        mlflow.sklearn.log_model(
            model, name="model", input_example=x_test.head(3), pip_requirements=requirements
        )
        print(f"mlflow_run_id={run.info.run_id} rmse={rmse:.3f}")


if __name__ == "__main__":
    main()
