"""What the inspections module offers the platform: registered from `InspectionsConfig.ready()`."""
