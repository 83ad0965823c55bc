"""The app's frame: page config, navigation, and the pages in their order.

Review opens first: on a fresh install it already shows the analysis of a
bundled sample, so a new user sees what formcheck does with no webcam and
no upload.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

ICON = Path(__file__).resolve().parent / "assets" / "icon.png"


def main() -> None:
    """Run one pass of the app (Streamlit calls ``app.py`` on every interaction)."""
    from formcheck.ui import common, page_exercises, page_history, page_live, page_review

    # A file the app serves itself: a Material icon or an emoji as the page icon makes
    # the browser fetch it from Google's or a CDN's servers.
    st.set_page_config(page_title="formcheck", page_icon=str(ICON), layout="wide")
    common.sweep_temporary_files()  # what a killed app left: once per server, not per run
    pages = [
        st.Page(
            page_review.render,
            title="Review",
            icon=":material/movie:",
            default=True,  # the default page lives at the app's root URL
        ),
        st.Page(page_live.render, title="Live", icon=":material/videocam:", url_path="live"),
        st.Page(
            page_history.render, title="History", icon=":material/history:", url_path="history"
        ),
        st.Page(
            page_exercises.render,
            title="Exercises",
            icon=":material/menu_book:",
            url_path="exercises",
        ),
    ]
    page = st.navigation(pages)
    st.sidebar.caption(
        "formcheck is a training aid, not a medical device. Follow your physiotherapist's "
        "advice about which exercises to do and how."
    )
    page.run()
