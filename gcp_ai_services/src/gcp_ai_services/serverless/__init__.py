"""Google serverless lessons: Cloud Functions v2 and Pub/Sub through the official clients."""
