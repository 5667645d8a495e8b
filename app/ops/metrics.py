"""Prometheus metrics (prometheus_client). Request latency is measured in every web process (gunicorn workers
share it through PROMETHEUS_MULTIPROC_DIR, set by `flask run-production`); the workflow figures (open and
overdue tasks by step, timer lag, the last timer sweep, the webhook outbox) are read from the database when
the metrics are scraped, so any web server answers for the whole cluster."""
import os
from datetime import timedelta

from flask import current_app
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from app import clock
from app.api.models import WebhookDelivery
from app.cases.models import OpenTask
from app.engine import heartbeats
from app.engine.models import ProcessInstance
from app.engine.timers import RUNNING
from app.extensions import db

REQUEST_SECONDS = Histogram("xinlian_request_seconds", "Time to answer a request, by endpoint", ["endpoint", "method"],
                            buckets=(0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10))
REQUESTS = Counter("xinlian_requests", "Requests answered, by endpoint and status class", ["endpoint", "status"])


def observe(endpoint: str, method: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(endpoint, method).observe(seconds)
    REQUESTS.labels(endpoint, f"{status // 100}xx").inc()


class WorkflowCollector:
    """Figures of the whole system, read at scrape time (a few indexed aggregate queries)."""

    def collect(self):
        now = clock.now()
        try:
            open_tasks = GaugeMetricFamily("xinlian_open_tasks", "Open workflow tasks, by step", labels=["step"])
            for step, n in db.session.execute(select(OpenTask.bpmn_id, func.count()).group_by(OpenTask.bpmn_id)):
                open_tasks.add_metric([step], n)
            yield open_tasks
            overdue = GaugeMetricFamily("xinlian_overdue_tasks", "Open tasks past their deadline, by step", labels=["step"])
            for step, n in db.session.execute(select(OpenTask.bpmn_id, func.count()).where(OpenTask.due_at < now)
                                              .group_by(OpenTask.bpmn_id)):
                overdue.add_metric([step], n)
            yield overdue
            oldest_due = db.session.scalar(select(func.min(ProcessInstance.next_due_at))
                                           .where(ProcessInstance.status == RUNNING, ProcessInstance.next_due_at < now))
            lag = (now - clock.as_utc(oldest_due)).total_seconds() if oldest_due else 0.0
            yield GaugeMetricFamily("xinlian_timer_lag_seconds", "How late the most overdue engine timer is (0: none waiting)",
                                    value=lag)
            st = heartbeats.status(timedelta(seconds=current_app.config["SCHEDULER_STALE_SECONDS"]))
            yield GaugeMetricFamily("xinlian_timer_sweep_seconds", "Duration of the last timer sweep recorded",
                                    value=(st.sweep_ms or 0) / 1000)
            yield GaugeMetricFamily("xinlian_scheduler_last_sweep_age_seconds",
                                    "Seconds since any scheduler last swept the timers (-1: never)",
                                    value=(now - st.last_sweep).total_seconds() if st.last_sweep else -1)
            yield GaugeMetricFamily("xinlian_schedulers_alive", "Scheduler processes heard from recently", value=st.processes)
            yield GaugeMetricFamily("xinlian_scheduler_stale", "1 when no scheduler has swept for several intervals",
                                    value=int(st.stale))
            pending = db.session.scalar(select(func.count()).select_from(WebhookDelivery)
                                        .where(WebhookDelivery.status == "pending"))
            yield GaugeMetricFamily("xinlian_webhook_outbox", "Webhook deliveries waiting to be sent", value=pending or 0)
        finally:
            db.session.rollback()


def init_app(app) -> None:
    app.extensions["xinlian_metrics"] = WorkflowCollector()


def render() -> bytes:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)  # every gunicorn worker's request figures
    else:
        registry.register(REQUEST_SECONDS)
        registry.register(REQUESTS)
    registry.register(current_app.extensions["xinlian_metrics"])
    return generate_latest(registry)
