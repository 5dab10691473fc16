import threading
import time

SENT = []
_lock = threading.Lock()


class RecordingSender:
    """Records which message ids it sent (slowly, to widen any race between workers)."""

    def send(self, notification):
        time.sleep(0.005)
        with _lock:
            SENT.append(notification.pk)
