"""Values Twilio documents for the TwiML the flows produce, so a typo fails `bot flows check` instead
of a live call. Data only; update it when Twilio adds a value.

Sources (as published by Twilio, read 2026):
- <Gather> reference, https://www.twilio.com/docs/voice/twiml/gather: `speechModel` (generic models,
  Google STT V2 and Deepgram provider models), `enhanced` (premium model, phone_call only),
  `finishOnKey` (0-9, #, * or the empty string), `hints` (each at most 100 characters).
- Speech recognition languages for <Gather>, https://www.twilio.com/docs/voice/twiml/gather#languagetags
- Text-to-speech voices for <Say>, https://www.twilio.com/docs/voice/twiml/say/text-speech: Amazon
  Polly voices (`Polly.<Name>`, `-Neural` and `-Generative` where offered) and Google voices
  (`Google.<language>-<type>-<variant>`), plus the basic `man`, `woman` and `alice`.
"""
from __future__ import annotations

import difflib
import re

SPEECH_MODELS = frozenset({
    "default", "numbers_and_commands", "phone_call", "experimental_conversations", "experimental_utterances",
    "googlev2_long", "googlev2_short", "googlev2_telephony", "googlev2_telephony_short",
    "deepgram_nova-2", "deepgram_nova-3",
})
# `enhanced="true"` selects the premium version of this model only.
ENHANCED_MODELS = frozenset({"phone_call"})

FINISH_KEYS = frozenset("0123456789#*") | {""}
MAX_HINT_CHARS = 100

GATHER_LANGUAGES = frozenset("""
af-ZA am-ET hy-AM az-AZ id-ID ms-MY bn-BD bn-IN ca-ES cs-CZ da-DK de-DE en-AU en-CA en-GH en-GB en-IN
en-IE en-KE en-NZ en-NG en-PH en-ZA en-TZ en-US es-AR es-BO es-CL es-CO es-CR es-EC es-SV es-ES es-US
es-GT es-HN es-MX es-NI es-PA es-PY es-PE es-PR es-DO es-UY es-VE eu-ES fil-PH fr-CA fr-FR gl-ES ka-GE
gu-IN hr-HR zu-ZA is-IS it-IT jv-ID kn-IN km-KH lo-LA lv-LV lt-LT hu-HU ml-IN mr-IN nl-NL ne-NP nb-NO
pl-PL pt-BR pt-PT ro-RO si-LK sk-SK sl-SI su-ID sw-TZ sw-KE fi-FI sv-SE ta-IN ta-SG ta-LK ta-MY te-IN
vi-VN tr-TR ur-PK ur-IN el-GR bg-BG ru-RU sr-RS uk-UA he-IL ar-IL ar-JO ar-AE ar-BH ar-DZ ar-SA ar-IQ
ar-KW ar-MA ar-TN ar-OM ar-PS ar-QA ar-LB ar-EG fa-IR hi-IN th-TH ko-KR cmn-Hant-TW yue-Hant-HK ja-JP
cmn-Hans-HK cmn-Hans-CN cy-GB
""".split())

# Amazon Polly voices Twilio offers, by the language each speaks.
POLLY_VOICES: dict[str, str] = {
    **dict.fromkeys("Ivy Joanna Kendra Kimberly Salli Joey Justin Kevin Matthew Ruth Stephen Danielle Gregory Patrick".split(), "en-US"),
    **dict.fromkeys("Amy Emma Brian Arthur".split(), "en-GB"),
    **dict.fromkeys("Nicole Russell Olivia".split(), "en-AU"),
    **dict.fromkeys("Aditi Raveena Kajal".split(), "en-IN"),
    "Geraint": "en-GB-WLS", "Aria": "en-NZ", "Ayanda": "en-ZA", "Niamh": "en-IE", "Jasmine": "en-SG",
    **dict.fromkeys("Conchita Lucia Enrique Sergio Raul Alba".split(), "es-ES"),
    **dict.fromkeys("Mia Andres".split(), "es-MX"),
    **dict.fromkeys("Lupe Penelope Miguel Pedro".split(), "es-US"),
    **dict.fromkeys("Celine Lea Mathieu Remi".split(), "fr-FR"),
    **dict.fromkeys("Chantal Gabrielle Liam".split(), "fr-CA"),
    "Isabelle": "fr-BE",
    **dict.fromkeys("Marlene Vicki Hans Daniel".split(), "de-DE"),
    "Hannah": "de-AT", "Sabrina": "de-CH",
    **dict.fromkeys("Carla Bianca Giorgio Adriano".split(), "it-IT"),
    **dict.fromkeys("Camila Vitoria Ricardo Thiago".split(), "pt-BR"),
    **dict.fromkeys("Ines Cristiano".split(), "pt-PT"),
    **dict.fromkeys("Lotte Ruben Laura".split(), "nl-NL"), "Lisa": "nl-BE",
    **dict.fromkeys("Mizuki Takumi Kazuha Tomoko".split(), "ja-JP"),
    **dict.fromkeys("Seoyeon Jihye".split(), "ko-KR"),
    "Zhiyu": "cmn-CN", "Hiujin": "yue-CN",
    "Zeina": "arb", "Hala": "ar-AE", "Zayd": "ar-AE",
    **dict.fromkeys("Naja Mads Sofie".split(), "da-DK"),
    **dict.fromkeys("Liv Ida".split(), "nb-NO"),
    **dict.fromkeys("Ewa Maja Jacek Jan Ola".split(), "pl-PL"),
    "Carmen": "ro-RO",
    **dict.fromkeys("Tatyana Maxim".split(), "ru-RU"),
    **dict.fromkeys("Astrid Elin".split(), "sv-SE"),
    **dict.fromkeys("Filiz Burcu".split(), "tr-TR"),
    "Gwyneth": "cy-GB",
    **dict.fromkeys("Dora Karl".split(), "is-IS"),
    "Arlet": "ca-ES", "Suvi": "fi-FI",
}
POLLY_ENGINES = ("", "-Neural", "-Generative")

_GOOGLE = re.compile(r"^Google\.([a-z]{2,3}(?:-[A-Za-z]{2,4})?-[A-Z]{2,3})-"
                     r"(Standard|Wavenet|Neural2|News|Studio|Polyglot|Journey|Casual|Chirp-HD|Chirp3-HD)-[A-Za-z0-9]+$")
BASIC_VOICES = frozenset({"man", "woman", "alice"})

# Languages <Say> speaks: the Polly and Google voices' languages, and those of the Gather list.
SAY_LANGUAGES = frozenset(GATHER_LANGUAGES | set(POLLY_VOICES.values()))


def voice_language(voice: str) -> str | None:
    """The language a named voice speaks, or None for a voice that speaks any (the basic ones)."""
    if voice.startswith("Polly."):
        name = voice[len("Polly."):]
        for suffix in POLLY_ENGINES[1:]:
            name = name.removesuffix(suffix)
        return POLLY_VOICES.get(name)
    match = _GOOGLE.match(voice)
    return match.group(1) if match else None


def voice_problem(voice: object) -> str | None:
    """What is wrong with a <Say> voice name, or None."""
    if not isinstance(voice, str) or not voice:
        return f"expected a voice name such as Polly.Amy or Google.en-GB-Wavenet-A, got {voice!r}"
    if voice in BASIC_VOICES:
        return None
    if voice.startswith("Polly."):
        name = voice[len("Polly."):]
        base = next((name.removesuffix(s) for s in POLLY_ENGINES[1:] if name.endswith(s)), name)
        if base not in POLLY_VOICES:
            near = difflib.get_close_matches(base, list(POLLY_VOICES), n=1, cutoff=0.75)
            hint = f"; did you mean 'Polly.{near[0]}'?" if near else " (e.g. Polly.Amy, Polly.Brian, Polly.Lucia)"
            return f"unknown Amazon Polly voice {voice!r}{hint}"
        return None
    if voice.startswith("Google."):
        if not _GOOGLE.match(voice):
            return f"unknown Google voice {voice!r}; expected Google.<language>-<type>-<variant>, e.g. Google.en-GB-Wavenet-A"
        return None
    return f"unknown voice {voice!r}; expected Polly.<Name> (e.g. Polly.Amy), Google.<language>-<type>-<variant>, man, woman or alice"
