"""Sessions and sign-in, and what the initiative page shows of its revisions."""
