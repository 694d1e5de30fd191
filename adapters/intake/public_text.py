"""Sentences the public reads about a service, from the definition's `public_text`, never from
the SOP's own step titles (those are written for officials: "Publik mengisi biodata")."""

from __future__ import annotations

import re

from adapters.intake.form_fields import PublicForm

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
DEFAULT_INTRO = "Isi formulir di bawah ini, lalu tekan Kirim Permohonan."


def form_intro(form: PublicForm) -> str:
    """The form's opening sentence: the form step's `public_text`, else a plain instruction."""
    return form.step.public_text or DEFAULT_INTRO


def service_sentence(form: PublicForm) -> str:
    """One sentence for the list of services: the first sentence of the form's `public_text`,
    else the SOP's name."""
    text = " ".join((form.step.public_text or "").split())
    return _SENTENCE_END.split(text, maxsplit=1)[0] if text else form.definition.sop.name
