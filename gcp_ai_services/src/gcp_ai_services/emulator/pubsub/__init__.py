"""Cloud Pub/Sub v1 at its REST paths: topics, subscriptions, publish, pull, push (state apart)."""
