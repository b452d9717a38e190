"""HTTP layer for every local emulator: ports, the WSGI app that never drops a request, the server."""
