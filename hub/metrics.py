"""/metrics for Prometheus: computed from the database and the broker when scraped.

Workers and web processes are separate (and may run on separate machines), so nothing is counted in process memory:
each scrape reads the submissions table and asks the broker, and every gunicorn worker answers the same.
https://prometheus.github.io/client_python/collector/custom/
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from submissions.models import Submission
from submissions.selectors import scoring_times, submission_counts_by_status

from .celery import app as celery_app
from .celery import broker_queue_length

# Seconds; scoring a CSV takes well under a second, the soft time limit is 120 s by default.
SCORING_TIME_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)


class HubCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        by_status = GaugeMetricFamily(
            "hub_submissions", "Submissions by challenge and status.", labels=["challenge", "status"]
        )
        counts = submission_counts_by_status()
        for (challenge, status), count in sorted(counts.items()):
            by_status.add_metric([challenge, status], count)
        yield by_status

        totals = GaugeMetricFamily("hub_submissions_by_status", "Submissions by status.", labels=["status"])
        for status in Submission.Status.values:
            totals.add_metric([status], sum(n for (_, s), n in counts.items() if s == status))
        yield totals

        waiting = broker_queue_length()
        queue = GaugeMetricFamily(
            "hub_queue_depth",
            "Messages waiting in the hub's Celery queue (not those a worker holds); none if the broker is down.",
            labels=["queue"],
        )
        if waiting is not None:
            queue.add_metric([celery_app.conf.task_default_queue], waiting)
        yield queue
        yield GaugeMetricFamily(
            "hub_broker_up", "1 if the broker answered this scrape.", value=int(waiting is not None)
        )

        times = scoring_times(bucket_bounds=SCORING_TIME_BUCKETS)
        yield HistogramMetricFamily(
            "hub_scoring_seconds",
            "Time from a worker claiming a submission to storing its outcome, over every finished submission.",
            buckets=[(_bound(b), n) for b, n in times.buckets] + [("+Inf", times.count)],
            sum_value=times.total_seconds,
        )


def _bound(bound: float) -> str:
    return repr(float(bound))


_registry = CollectorRegistry(auto_describe=False)
_registry.register(HubCollector())


def metrics(request: HttpRequest) -> HttpResponse:
    """The Prometheus text format; with METRICS_TOKEN set, only for `Authorization: Bearer <METRICS_TOKEN>`.
    Production settings serve it only with a token (METRICS_NEED_TOKEN): without one /metrics is a 404 there,
    as if it did not exist, rather than open to the internet behind the proxy or stopping the hub's start."""
    token = settings.METRICS_TOKEN
    if not token and settings.METRICS_NEED_TOKEN:
        raise Http404("/metrics is off: set METRICS_TOKEN to serve it.")
    if token:
        sent = request.headers.get("Authorization", "")
        if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            response = HttpResponse("Send Authorization: Bearer <METRICS_TOKEN>.\n", status=401)
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
    return HttpResponse(generate_latest(_registry), content_type=CONTENT_TYPE_LATEST)
