"""What the campaigns module offers the platform: registered from `CampaignsConfig.ready()`."""
