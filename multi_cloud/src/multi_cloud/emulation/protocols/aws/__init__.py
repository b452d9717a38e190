"""AWS wire protocols (JSON 1.0/1.1, REST-JSON): codecs, routing and error bodies botocore parses."""
