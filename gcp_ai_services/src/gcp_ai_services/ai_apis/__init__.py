"""Google's pre-trained AI APIs (Vision, Natural Language, Translation, Speech) over the official clients."""
