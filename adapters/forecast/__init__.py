"""Staffing forecast: a discrete-event simulation of a process definition from its history."""
