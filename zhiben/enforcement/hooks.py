"""What the enforcement module offers the platform: registered from `EnforcementConfig.ready()`."""
