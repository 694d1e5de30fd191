"""The public's satisfaction survey (Survei Kepuasan Masyarakat, PermenPAN-RB 14/2017)."""
