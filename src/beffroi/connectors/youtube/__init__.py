"""YouTube channels (YouTube Data API v3): comments on the commune's videos."""
