"""Sentences the public reads about a service, from the definition's `public_text`, never from
the SOP's own step titles (those are written for officials: "Publik mengisi biodata")."""

from __future__ import annotations

import re

from adapters.intake.form_fields import PublicForm
from process_definitions import model as m

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
DEFAULT_INTRO = "Isi formulir di bawah ini, lalu tekan Kirim Permohonan."


def _texts_to_form(form: PublicForm) -> list[str]:
    """`public_text` of the public steps from the start up to and including the form step."""
    texts: list[str] = []
    step: m.StepDefinition = form.definition.start
    while isinstance(step, m.PublicActionStep | m.FormStep):
        if step.public_text:
            texts.append(" ".join(step.public_text.split()))
        if step.id == form.step.id:
            break
        step = form.definition.step(step.next)
    return texts


def form_intro(form: PublicForm) -> str:
    """The form's opening words: what the public steps say (the service, then what to do),
    else a plain instruction."""
    return " ".join(_texts_to_form(form)) or DEFAULT_INTRO


def service_sentence(form: PublicForm) -> str:
    """One sentence for the list of services: the first sentence of the public steps' texts,
    else the SOP's name."""
    texts = _texts_to_form(form)
    return _SENTENCE_END.split(texts[0], maxsplit=1)[0] if texts else form.definition.sop.name
