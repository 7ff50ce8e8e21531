"""Ed25519 keys: each organisation's public keys, the server's log key, and signatures."""
