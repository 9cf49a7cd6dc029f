"""Every host collector, and running a set of them against one host.

Importing this module imports every host collector module (one import per
module in ``collectors/host/__init__.py``).
"""

from __future__ import annotations

from typing import Callable, Dict, Iterable, List, Optional, Tuple

import collectors.host  # noqa: F401  - the import fills the registry
from collectors.budget import DEFAULT_COLLECTOR_S, Budget, Job, run_job_stream, run_jobs
from collectors.context import HostContext
from collectors.evidence import Evidence
from collectors.registry import Collector, registered, run_collector
from collectors.vuln import collector as _vuln  # noqa: F401  - the host.vulns collector


def all_collectors() -> Dict[str, Collector]:
    """Every registered host collector, by name."""
    return registered()


def collect(ctx: HostContext, names: Optional[Iterable[str]] = None, workers: int = 8, budget: Optional[Budget] = None) -> List[Evidence]:
    """Run the named collectors (all by default), concurrently, the slow ones first, each within its time
    budget (``collectors.budget``); evidence in name order."""
    registry = all_collectors()
    wanted: Tuple[str, ...] = tuple(sorted(names if names is not None else registry))
    unknown = [n for n in wanted if n not in registry]
    if unknown:
        raise KeyError(f"unknown collector(s): {', '.join(unknown)}")
    started = sorted(wanted, key=lambda n: not registry[n].slow)
    jobs = [Job(n, ctx.target, lambda c=registry[n]: run_collector(c, ctx)) for n in started]  # type: ignore[misc]
    done = dict(zip(started, run_jobs(jobs, budget or Budget(DEFAULT_COLLECTOR_S), workers)))
    return [done[n] for n in wanted]


def collect_shared(ctx: HostContext, take: Callable[[], Optional[str]], workers: int = 4, budget: Optional[Budget] = None) -> List[Evidence]:
    """Run the collectors ``take`` names (None: no more) until it runs dry, each within its budget: the
    loop of one of several processes that share a list of collectors. Unknown names are a bug."""
    registry = all_collectors()

    def job() -> Optional[Job]:
        name = take()
        if name is None:
            return None
        c = registry[name]
        return Job(name, ctx.target, lambda: run_collector(c, ctx))

    return [e for _, e in run_job_stream(job, budget or Budget(DEFAULT_COLLECTOR_S), workers)]
