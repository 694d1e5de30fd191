"""SDP (Sistem Database Pemasyarakatan) directory: SQL replica, HTTP client, name matching.
Import the public API from here. (The integrasi answer lives with its SOP, in
process_definitions/layanan_informasi_integrasi/.)"""

from adapters.sdp.codes import IntegrasiProgramme, IntegrasiStage
from adapters.sdp.demo import load_demo_directory
from adapters.sdp.directory import SdpCandidate, SdpDirectory, SdpQuery, SdpRecord
from adapters.sdp.errors import (
    RegistrationNumberError,
    SdpError,
    SdpImportError,
    SdpRequestError,
    SdpUnavailableError,
)
from adapters.sdp.fake import FakeSdpDirectory
from adapters.sdp.http_directory import HttpSdpDirectory, SdpHttpSettings
from adapters.sdp.importer import ImportReport, Rejection, import_records
from adapters.sdp.registration import normalise_registration_no
from adapters.sdp.sql_directory import SqlSdpDirectory

__all__ = [
    "FakeSdpDirectory",
    "HttpSdpDirectory",
    "ImportReport",
    "IntegrasiProgramme",
    "IntegrasiStage",
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
    "load_demo_directory",
    "normalise_registration_no",
]
