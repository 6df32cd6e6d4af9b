"""In-app inbox and e-mail outbox, with per-user switches per kind."""
