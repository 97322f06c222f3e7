"""Text layer for helpdesk tickets: plain text, language, sentiment (all offline)."""
