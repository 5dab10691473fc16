class BrokenSender:
    """A sender whose gateway is down (used by tests of retry and back-off)."""

    def send(self, notification):
        raise ConnectionError("短信网关不可用")
