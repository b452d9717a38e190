"""Amazon Lex V2 offline: the model-building API (bots, locales, intents, slots) and the runtime (dialogs)."""
