"""Locust users for `make load` (bench/load.py starts the cluster and runs one endpoint at a time through
`--tags`). Each user sends one request per second on average at random (Poisson) times, so 25 users are 25
requests per second arriving as independent people's requests do, spread over the cluster's app servers.

(Not constant_throughput: Locust dispatches all the users of a one-second spawn rate in one batch, and
constant_throughput keeps their phase, so 25 requests arrived together at the start of every second and the
figures measured the queue of that synchronised burst: 190 ms median for a page that takes 16 ms.)"""
import itertools
import json
import os
import random
import time

from locust import HttpUser, tag, task

SERVERS = os.environ["LOAD_SERVERS"].split(",")
CONFIG = json.loads(os.environ["LOAD_CONFIG"])  # case ids, task ids, search terms, codes, API token
TASKS = iter(CONFIG["tasks"])  # each pre-review task is completed once, by whichever user takes it next
SERVER_CYCLE = itertools.cycle(SERVERS)


def poisson_arrivals(per_second: float):
    """wait_time: the next request starts an exponentially distributed interval after the previous one's
    scheduled start (not after it finished), so a user's mean rate stays per_second however long requests take."""

    def wait(user) -> float:
        now = time.monotonic()
        user.next_start = max(getattr(user, "next_start", now), now - 1.0) + random.expovariate(per_second)
        return max(0.0, user.next_start - now)

    return wait


def start_at_random(user) -> None:
    """A user's first request at a random moment of its first second (Locust starts them all at once)."""
    user.next_start = time.monotonic() + random.uniform(0.0, 1.0)
    time.sleep(user.next_start - time.monotonic())  # (cooperative: Locust runs users in gevent)


class Caseworker(HttpUser):
    """A group lead of the market group (the unit holding the seeded open tasks)."""

    host = SERVERS[0]
    wait_time = poisson_arrivals(1.0)

    def on_start(self):
        # Half the users on each server, as a load balancer would spread them, each with a session bench/load.py
        # logged in beforehand: the measured requests are the endpoint's own, not logins (scrypt by design).
        self.server = next(SERVER_CYCLE)
        login = CONFIG["sessions"][self.server]
        self.client.cookies.set(login["name"], login["cookie"])
        self.csrf = login["csrf"]
        start_at_random(self)

    @tag("inbox")
    @task
    def inbox(self):
        self.client.get(self.server + "/tasks/", name="inbox")

    @tag("case")
    @task
    def case_page(self):
        self.client.get(f"{self.server}/cases/{random.choice(CONFIG['cases'])}", name="case page")

    @tag("complete")
    @task
    def complete(self):
        task_id = next(TASKS, None)
        if task_id is None:
            return
        with self.client.post(f"{self.server}/tasks/{task_id}", name="task completion", allow_redirects=False,
                              data={"csrf_token": self.csrf, "outcome": "accept", "reasons": ""},
                              catch_response=True) as resp:
            if resp.status_code != 302:
                resp.failure(f"status {resp.status_code}")

    @tag("search")
    @task
    def search(self):
        self.client.get(self.server + "/cases/", params={"q": random.choice(CONFIG["terms"])}, name="search")


class DepartmentSystem(HttpUser):
    """An approval system asking the credit check API before it grants a matter."""

    host = SERVERS[0]
    wait_time = poisson_arrivals(1.0)

    def on_start(self):
        self.server = next(SERVER_CYCLE)
        start_at_random(self)

    @tag("check")
    @task
    def check(self):
        body = {"code": random.choice(CONFIG["codes"]), "matter_type": CONFIG["matter_type"],
                "matter_no": f"LOAD-{random.randrange(10**9)}"}
        with self.client.post(self.server + "/api/v1/checks", json=body, name="credit check", catch_response=True,
                              headers={"Authorization": f"Bearer {CONFIG['token']}"}) as resp:
            if resp.status_code != 200:
                resp.failure(f"status {resp.status_code}")


# One kind of user per run (bench/load.py sets LOAD_CLASS): a class whose tasks the --tags filter removes would
# still be spawned and stop with "no tasks".
Caseworker.abstract = os.environ.get("LOAD_CLASS") != "Caseworker"
DepartmentSystem.abstract = os.environ.get("LOAD_CLASS") != "DepartmentSystem"
