"""What the selfchecks module offers the platform: registered from `SelfchecksConfig.ready()`."""
