"""Bronze: landing files read by their channel contracts into typed Delta tables, bad rows quarantined."""
