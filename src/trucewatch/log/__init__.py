"""The append-only, hash-linked log every state change is written to."""
