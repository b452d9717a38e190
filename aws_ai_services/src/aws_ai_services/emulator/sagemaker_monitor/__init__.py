"""SageMaker Model Monitor, server-side: baselining jobs, schedules, executions, drift and alarms."""
