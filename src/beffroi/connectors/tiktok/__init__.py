"""TikTok business accounts (TikTok API for Business, v1.3): comments on the account's videos."""
