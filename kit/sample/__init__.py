"""The fictional sample city (seeded, deterministic) and its builders; the default plan file
ships here as package data."""
