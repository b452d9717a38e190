"""The shared base-client interface: capabilities, result types, errors, settings, registry."""
