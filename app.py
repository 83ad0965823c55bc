"""formcheck's Streamlit app: ``streamlit run app.py``.

A thin entry point: the pages live in ``formcheck/ui/``.
"""

from formcheck.ui.app import main

main()
