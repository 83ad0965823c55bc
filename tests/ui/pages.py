"""Each page as a script function for ``AppTest.from_function`` (imports inside)."""


def review_page():
    from formcheck.ui import page_review

    page_review.render()


def live_page():
    from formcheck.ui import page_live

    page_live.render()


def history_page():
    from formcheck.ui import page_history

    page_history.render()


def exercises_page():
    from formcheck.ui import page_exercises

    page_exercises.render()
