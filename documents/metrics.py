"""The documents app's counters for Prometheus (README, « Métriques (Prometheus) »).

prometheus_client keeps them per process (or in PROMETHEUS_MULTIPROC_DIR across gunicorn's
workers); /metriques/ exports them with the portal's gauges (portal/metrics.py).
"""

from prometheus_client import Counter

# Grafana draws uploads per minute as rate(bts_portal_uploads_total[5m]) * 60.
uploads_total = Counter("bts_portal_uploads", "Files stored for a piece, counted when their upload commits.")
