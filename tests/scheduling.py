"""How `make test` shares the suite between its two xdist workers.

xdist's default (`load`) hands each worker a large share of what is left and never takes it back: in a run
measured on 2026-12-07 one worker finished at 421 s while the other still held the API fuzz, the demo tour and
the backup tests, and ran on alone to 595 s. Here the tests go out in collection order, a class (or a few tests
of a module) at a time, to whichever worker has run down its queue, so the two finish within about one class of
each other.

Collection order is kept on each worker: pytest-django puts the tests in transactions first and the
transactional ones (which empty the tables at their end) after them, and a worker that ran a transactional test
must never be given a test that expects the seeded rows afterwards."""

from xdist.scheduler import LoadScheduling

MODULE_CHUNK = 10  # tests of one module (functions, not a class) sent together: its module fixtures stay warm
QUEUE = 2  # a worker must know its next test to tear its fixtures down at the right time


def _scope(nodeid):
    """The class of a test in a class, else its module."""
    parts = nodeid.split("::")
    return "::".join(parts[:2]) if len(parts) > 2 else parts[0]


class ScopeScheduling(LoadScheduling):
    def _next_chunk(self):
        """How many tests at the head of the queue go out together: the rest of a class, or up to
        MODULE_CHUNK tests of a module."""
        first = _scope(self.collection[self.pending[0]])
        in_class = first != self.collection[self.pending[0]].split("::")[0]
        n = 1
        while n < len(self.pending) and _scope(self.collection[self.pending[n]]) == first:
            if not in_class and n >= MODULE_CHUNK:
                break
            n += 1
        return n

    def check_schedule(self, node, duration=0):
        if node.shutting_down:
            return
        if not self.pending:
            node.shutdown()
            return
        while self.pending and len(self.node2pending[node]) < QUEUE:
            self._send_tests(node, self._next_chunk())

    def schedule(self):
        assert self.collection_is_completed
        if self.collection is None:
            if not self._check_nodes_have_same_collection():
                self.log("**Different tests collected, aborting run**")
                return
            self.collection = next(iter(self.node2collection.values()))
            self.pending[:] = range(len(self.collection))
        for node in self.nodes:
            self.check_schedule(node)
