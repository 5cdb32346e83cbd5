"""RSS/Atom feeds (local press, blogs) watched for mentions of the commune."""
