"""Google API wire conventions (REST): http-rule routing, ``google.rpc.Status`` errors, long-running ops."""
