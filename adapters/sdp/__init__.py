"""SDP (Sistem Database Pemasyarakatan) directory: SQL replica, HTTP client, name matching,
integrasi estimates. Import the public API from here."""

from adapters.sdp.codes import IntegrasiProgramme, IntegrasiStage
from adapters.sdp.demo import load_demo_directory
from adapters.sdp.directory import SdpCandidate, SdpDirectory, SdpQuery, SdpRecord
from adapters.sdp.errors import (
    IntegrasiRulesError,
    RegistrationNumberError,
    SdpError,
    SdpImportError,
    SdpRequestError,
    SdpUnavailableError,
)
from adapters.sdp.fake import FakeSdpDirectory
from adapters.sdp.http_directory import HttpSdpDirectory, SdpHttpSettings
from adapters.sdp.importer import ImportReport, Rejection, import_records
from adapters.sdp.integrasi import IntegrasiInformation, ProgrammeEstimate, integrasi_information
from adapters.sdp.registration import normalise_registration_no
from adapters.sdp.sql_directory import SqlSdpDirectory

__all__ = [
    "FakeSdpDirectory",
    "HttpSdpDirectory",
    "ImportReport",
    "IntegrasiInformation",
    "IntegrasiProgramme",
    "IntegrasiRulesError",
    "IntegrasiStage",
    "ProgrammeEstimate",
    "RegistrationNumberError",
    "Rejection",
    "SdpCandidate",
    "SdpDirectory",
    "SdpError",
    "SdpHttpSettings",
    "SdpImportError",
    "SdpQuery",
    "SdpRecord",
    "SdpRequestError",
    "SdpUnavailableError",
    "SqlSdpDirectory",
    "import_records",
    "integrasi_information",
    "load_demo_directory",
    "normalise_registration_no",
]
