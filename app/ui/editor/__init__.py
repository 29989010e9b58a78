"""The lesson editor: form, steps, live wall and handout preview, live checker, screenshot marks."""
