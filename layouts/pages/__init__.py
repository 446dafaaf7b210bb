"""Dashboard pages: one module per page, each registered with ``dash.register_page``."""
