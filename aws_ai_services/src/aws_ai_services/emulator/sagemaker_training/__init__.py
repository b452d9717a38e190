"""SageMaker training, server-side: every ``CreateTrainingJob`` moto records really runs, whoever sent it."""
