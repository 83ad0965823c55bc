"""The Streamlit app's pages and their shared helpers.

``app.py`` at the repository root calls `formcheck.ui.app.main`. One module
per page (``page_live``, ``page_review``, ``page_history``,
``page_exercises``); Streamlit-free helpers (``rtc``, ``charts``,
``library``) are unit-testable without a Streamlit runtime.
"""
