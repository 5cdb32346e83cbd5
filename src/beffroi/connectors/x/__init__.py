"""X (formerly Twitter), API v2 through tweepy: mentions and replies in the account's conversations."""
