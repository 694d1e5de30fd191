"""The SDP replica tables (migration: `adapters/db/migrations/versions/0001_sdp_directory.py`).

`sdp_record`         one row per prisoner, upserted by normalised registration number; `name_index`
                     holds the parsed names (JSON) so a search scores without re-parsing.
`sdp_name_key`       blocking keys -> record (see `adapters.sdp.keys`).
`sdp_token_variant`  the token vocabulary with single deletions, for typo-tolerant lookups.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel


class SdpRecordRow(SQLModel, table=True):
    __tablename__ = "sdp_record"

    id: int | None = Field(default=None, primary_key=True)
    no_registrasi: str = Field(max_length=40, unique=True)
    nama: str = Field(max_length=300)
    alias: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    nama_kecil: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    tanggal_lahir: date | None = None
    upt: str | None = Field(default=None, max_length=200)
    upt_key: str | None = Field(default=None, max_length=200)
    tanggal_mulai_ditahan: date | None = None
    lama_pidana: str | None = Field(default=None, max_length=60)
    remisi: str | None = Field(default=None, max_length=60)
    remisi_terakhir: str | None = Field(default=None, max_length=60)
    tanggal_ekspirasi: date | None = None
    perkara: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    program_integrasi: str | None = Field(default=None, max_length=40)
    tahap_integrasi: str | None = Field(default=None, max_length=40)
    name_index: str = Field(sa_column=Column(Text, nullable=False))
    imported_at: datetime


class SdpNameKey(SQLModel, table=True):
    __tablename__ = "sdp_name_key"
    __table_args__ = {"sqlite_with_rowid": False}

    key: str = Field(primary_key=True, max_length=200)
    record_id: int = Field(primary_key=True, index=True)  # sdp_record.id, kept by the importer


class SdpTokenVariant(SQLModel, table=True):
    __tablename__ = "sdp_token_variant"
    __table_args__ = {"sqlite_with_rowid": False}

    variant: str = Field(primary_key=True, max_length=80)
    token: str = Field(primary_key=True, max_length=80)
