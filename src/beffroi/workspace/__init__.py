"""The moderation workspace: platform accounts, items, verdicts, decisions, outbox, evidence, charter."""
