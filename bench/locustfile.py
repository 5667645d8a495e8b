"""Locust users for `make load` (bench/load.py starts the cluster and runs one endpoint at a time through
`--tags`). Each user keeps a steady one request per second (constant_throughput), so 25 users are a fixed 25
requests per second, spread over the cluster's app servers."""
import itertools
import json
import os
import random

from locust import HttpUser, constant_throughput, tag, task

SERVERS = os.environ["LOAD_SERVERS"].split(",")
CONFIG = json.loads(os.environ["LOAD_CONFIG"])  # case ids, task ids, search terms, codes, API token
TASKS = iter(CONFIG["tasks"])  # each pre-review task is completed once, by whichever user takes it next
SERVER_CYCLE = itertools.cycle(SERVERS)


class Caseworker(HttpUser):
    """A group lead of the market group (the unit holding the seeded open tasks)."""

    host = SERVERS[0]
    wait_time = constant_throughput(1)

    def on_start(self):
        # Half the users on each server, as a load balancer would spread them, each with a session bench/load.py
        # logged in beforehand: the measured requests are the endpoint's own, not logins (scrypt by design).
        self.server = next(SERVER_CYCLE)
        login = CONFIG["sessions"][self.server]
        self.client.cookies.set(login["name"], login["cookie"])
        self.csrf = login["csrf"]

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
    wait_time = constant_throughput(1)

    def on_start(self):
        self.server = next(SERVER_CYCLE)

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
