"""How the public reads integrasi programmes and proposal stages (the one copy of these labels)."""

from __future__ import annotations

from adapters.sdp.codes import IntegrasiProgramme, IntegrasiStage

PROGRAMME_LABELS: dict[IntegrasiProgramme, str] = {
    IntegrasiProgramme.ASIMILASI: "Asimilasi",
    IntegrasiProgramme.PEMBEBASAN_BERSYARAT: "Pembebasan Bersyarat",
    IntegrasiProgramme.CUTI_MENJELANG_BEBAS: "Cuti Menjelang Bebas",
    IntegrasiProgramme.CUTI_BERSYARAT: "Cuti Bersyarat",
    IntegrasiProgramme.CUTI_MENGUNJUNGI_KELUARGA: "Cuti Mengunjungi Keluarga",
}
STAGE_LABELS: dict[IntegrasiStage, str] = {
    IntegrasiStage.PENDATAAN: "Pendataan",
    IntegrasiStage.LITMAS_BAPAS: "Penelitian kemasyarakatan (Litmas) oleh Bapas",
    IntegrasiStage.SIDANG_TPP_UPT: "Sidang Tim Pengamat Pemasyarakatan (TPP) di Lapas/Rutan",
    IntegrasiStage.USULAN_KALAPAS: "Usulan Kepala Lapas/Rutan",
    IntegrasiStage.VERIFIKASI_KANWIL: "Verifikasi Kantor Wilayah",
    IntegrasiStage.VERIFIKASI_DITJENPAS: "Verifikasi Direktorat Jenderal Pemasyarakatan",
    IntegrasiStage.SK_TERBIT: "Surat Keputusan (SK) telah terbit",
    IntegrasiStage.SK_DILAKSANAKAN: "Surat Keputusan (SK) telah dilaksanakan",
}


def stage_text(programme: IntegrasiProgramme | None, stage: IntegrasiStage | None) -> str | None:
    """`Pembebasan Bersyarat, tahap Sidang Tim Pengamat ...`; None when SDP records neither."""
    if programme is None and stage is None:
        return None
    if programme is None:
        assert stage is not None
        return f"tahap {STAGE_LABELS[stage]} (program tidak tercatat)"
    if stage is None:
        return f"{PROGRAMME_LABELS[programme]}, tahap belum tercatat"
    return f"{PROGRAMME_LABELS[programme]}, tahap {STAGE_LABELS[stage]}"
