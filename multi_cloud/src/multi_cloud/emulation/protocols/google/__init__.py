"""Google API wire conventions (JSON/REST): ``google.rpc.Status`` error bodies and ``google.longrunning``."""
