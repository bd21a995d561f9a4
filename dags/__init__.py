"""dags package."""
