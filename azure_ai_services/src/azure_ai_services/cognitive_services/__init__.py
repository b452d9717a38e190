"""The Azure AI services lessons: Vision, Language, Speech and Translator over the official clients."""
