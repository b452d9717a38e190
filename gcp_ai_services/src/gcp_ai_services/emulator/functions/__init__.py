"""Cloud Functions v2: upload URLs, source builds, functions run by functions-framework in on-prem workers."""
