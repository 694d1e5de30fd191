"""An in-memory SDP directory for tests: the same Protocol, the same matching, a full scan."""

from __future__ import annotations

from collections.abc import Iterable

from adapters.sdp.directory import SdpCandidate, SdpQuery, SdpRecord
from adapters.sdp.errors import RegistrationNumberError
from adapters.sdp.matching import (
    Entry,
    PreparedQuery,
    entry_of,
    exact_registration_candidate,
    rank,
)
from adapters.sdp.registration import normalise_registration_no


class FakeSdpDirectory:
    """Holds records in a dict by registration number; `add` upserts."""

    def __init__(self, records: Iterable[SdpRecord] = ()) -> None:
        self._records: dict[str, SdpRecord] = {}
        self._entries: dict[str, Entry] = {}
        for record in records:
            self.add(record)

    def add(self, record: SdpRecord) -> None:
        self._records[record.no_registrasi] = record
        self._entries[record.no_registrasi] = entry_of(record)

    def __len__(self) -> int:
        return len(self._records)

    def get(self, registration_no: str) -> SdpRecord | None:
        try:
            return self._records.get(normalise_registration_no(registration_no))
        except RegistrationNumberError:
            return None

    def search(self, query: SdpQuery) -> list[SdpCandidate]:
        record = self.get(query.name)
        if record is not None:
            return [exact_registration_candidate(record)]
        return rank(PreparedQuery.of(query), self._entries.values())
