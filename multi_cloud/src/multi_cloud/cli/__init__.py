"""The ``cloudai`` command line: doctor, local cloud control, demos."""
