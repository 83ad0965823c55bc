"""formcheck's Streamlit app: ``streamlit run app.py``.

A placeholder until the app lands; the pages live in ``formcheck/ui/``.
"""

import streamlit as st

st.set_page_config(page_title="formcheck", layout="wide")
st.title("formcheck")
st.write("Rep-by-rep form feedback for rehab exercises. The app is being built.")
