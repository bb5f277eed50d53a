"""The HTTP clients of the four services: every call carries the signed-in person's key."""
