"""The Dash dashboard: pages (one module each), shared components, figures, callbacks."""
