"""Azure Functions in the emulator: function apps (ARM), zip deploy (Kudu), HTTP, Blob and Queue triggers."""
