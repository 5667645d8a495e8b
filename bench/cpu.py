"""CPU seconds used by processes, read from /proc (Linux; no extra dependency): what `make load` and `make bench-pg`
report per request or check, for the app servers and for PostgreSQL."""
import os


def tree_cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) used so far by these processes and their descendants."""
    return sum(_cpu(proc) for pid in pids for proc in [pid, *_descendants(pid)])


def postgres_cpu() -> float:
    """CPU seconds used so far by the PostgreSQL processes running now (a local server)."""
    return sum(_cpu(pid) for pid in _all_pids() if _comm(pid).startswith("postgres"))


def _cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:  # (ended meanwhile)
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _descendants(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            kids = [int(x) for x in f.read().split()]
    except OSError:
        return []
    return kids + [g for k in kids for g in _descendants(k)]


def _all_pids() -> list[int]:
    return [int(d) for d in os.listdir("/proc") if d.isdigit()]


def _comm(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read()
    except OSError:
        return ""


def calibration_ms() -> float:
    """CPU milliseconds of a fixed pure-Python loop (best of three): this shared VM's speed swings by 2x between
    runs, so each figure is printed with the speed the machine had when it was measured."""
    import time

    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        sum(i * i for i in range(2_000_000))
        best = min(best, time.process_time() - start)
    return best * 1000
