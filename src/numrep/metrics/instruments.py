"""The counters and histograms that numrep updates as things happen.

Importing this module imports prometheus_client, which fixes its storage mode
for the process (see ``numrep.metrics.multiprocess``). Code on hot paths
therefore goes through ``numrep.metrics.record``, which imports it on first use.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

HTTP_REQUESTS = Counter(
    "numrep_http_requests",
    "HTTP requests served, by route template, method and status code.",
    ("route", "method", "status"),
)
HTTP_REQUEST_DURATION = Histogram(
    "numrep_http_request_duration_seconds",
    "Time from receiving an HTTP request to sending the last byte of the "
    "response, by route template and method.",
    ("route", "method"),
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
WEBHOOK_ATTEMPTS = Counter(
    "numrep_webhook_attempts",
    "Webhook delivery attempts by outcome: delivered, failed (a retry is "
    "scheduled) or given_up (it was the last attempt).",
    ("outcome",),
)
NETWORK_ERRORS = Counter(
    "numrep_network_errors",
    "Failed calls to a call-analytics network, retried ones included, by "
    "network and operation.",
    ("network", "operation"),
)
