"""Silver: bronze standardised (names, emails, phones, addresses, times) into one table per entity or
event kind, plus the person records and deterministic links identity resolution reads."""
