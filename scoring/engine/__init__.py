"""The engine: read → normalise → score → combine → rank."""
