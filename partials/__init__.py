"""Progressive-enhancement machinery: one view serves a full page or an htmx fragment.

This app knows nothing about the shop. Views call `render_page` for GETs and `after_action` for
POSTs; the branch between "full page" and "fragment" lives here and nowhere else.
"""
