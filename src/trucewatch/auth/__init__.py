"""Identities: users of the mechanism and the organisation each belongs to."""
