"""Settings of a long-running server process (gunicorn's worker), applied once the app is built."""
from __future__ import annotations

import gc

# Generation 0 is collected after this many new container objects (Python's default is 700). A server
# process allocates tens of thousands per second of short-lived ones; a larger nursery lets them die
# young instead of being promoted into the old generation, which the collector must then walk whole.
GC_THRESHOLDS = (5000, 10, 10)


def settle_gc(thresholds: tuple[int, int, int] = GC_THRESHOLDS) -> None:
    """Take what start-up built (about 300,000 objects: the app, SQLAlchemy, pydicom's dictionaries)
    out of the cyclic collector's reach, and collect young objects less often.

    Without this, each full collection walks every object of the process: 150-340 ms on this
    machine, during which no websocket message moves (docs/benchmarks.md, "Live sessions").
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*thresholds)
