"""Logic Apps in the emulator: workflows (ARM), a subset of the workflow definition language, runs."""
