"""Platform infrastructure: settings, the Spark session factory, Delta storage and console output."""
