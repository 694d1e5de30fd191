"""SOP W12.87.HH.05.04.2021, Pelayanan Informasi Integrasi: its definition (`process.yaml`),
message templates, rules file and the service action drafting the answer (`actions.py`)."""
