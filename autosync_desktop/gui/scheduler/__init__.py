"""The Scheduler tab."""
