"""Building blocks shared by the local emulators: ports, threaded WSGI servers, error bodies."""
