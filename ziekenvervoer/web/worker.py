"""One thread that owns the router's query engine and answers every routing call.

The contraction-hierarchy engine (:class:`routing.engine.CCHEngine`) wraps a RoutingKit query
object that may only be used on the thread that created it (PyO3 ``unsendable``); a call from
another thread aborts with a panic, whatever lock guards it. A web server answers requests on
many threads. :class:`RouterWorker` therefore builds its own router on one dedicated thread (same
network, same contraction order: about 0.1 s for a city) and runs every routing call there.
Queries were serialised by the engine's lock anyway, so nothing is lost.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from routing.router import Router

T = TypeVar("T")


def _own_router(router: Router) -> Router:
    """Return a router whose engine was created on the calling thread."""
    from routing.engine import CCHEngine
    from routing.router import Router

    if not isinstance(router.engine, CCHEngine):
        return router
    return Router(
        router.network,
        geocoder=router.geocoder,
        snap_limit_m=router.snap_limit_m,
        engine=CCHEngine(router.network, router.engine.order),
    )


class RouterWorker:
    """Run routing calls on one thread that owns its router.

    The thread's router is never handed out: callers pass a function that receives it, so the
    engine is created, used and released on that thread only.

    Parameters
    ----------
    router : routing.router.Router
        The loaded router; its network (and contraction order) are shared, not copied.
    """

    def __init__(self, router: Router) -> None:
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        ready: Future[None] = Future()
        self._thread = threading.Thread(
            target=self._run, args=(router, ready), name="ziekenvervoer-router", daemon=True
        )
        self._thread.start()
        ready.result()

    def _run(self, router: Router, ready: Future[None]) -> None:
        try:
            own = _own_router(router)
        except BaseException as exc:
            ready.set_exception(exc)
            return
        del router
        ready.set_result(None)
        while True:
            job = self._jobs.get()
            if job is None:
                break
            fn, args, kwargs, future = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(own, *args, **kwargs))
            except BaseException as exc:
                future.set_exception(exc)
            del job, fn, args, kwargs, future
        del own  # released on this thread

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(router, *args, **kwargs)`` on the router's thread and return its result.

        Exceptions (the router's typed errors included) are raised in the caller's thread.
        """
        if not self._thread.is_alive():
            raise RuntimeError("the router thread has stopped")
        future: Future[T] = Future()
        self._jobs.put((fn, args, kwargs, future))
        return future.result()

    def close(self) -> None:
        """Stop the thread after the calls already submitted; its router is released there."""
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join()
