"""Auditors' reports: SLA figures (HTML, PDF, CSV, JSON), the daily paper register, exports."""
