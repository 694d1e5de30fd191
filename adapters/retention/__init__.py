"""Retention under UU 27/2022: personal data of closed cases is deleted after its period."""
