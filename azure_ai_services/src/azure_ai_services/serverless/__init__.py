"""Serverless on Azure: Functions (Python v2 model), Event Grid, Logic Apps — thin clients of the ARM APIs."""
