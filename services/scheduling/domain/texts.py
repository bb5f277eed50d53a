"""The programme's words: the page in Swedish and English (``?lang=en``), calendar names in every platform language.

A page asked in a language it has no words for (``?lang=ar`` until the Arabic page comes, or
any other code) is shown in Swedish, with a 200: ``page_language`` decides once per request and
everything on the page (words, month names, labels) follows it. Month names come from the
Unicode CLDR (Babel), so a language added to ``TEXTS`` brings its own.
"""

from datetime import datetime

from babel.dates import format_date

# Languages residents may ask the platform's feeds in (the calendar's name, the vocabularies'
# labels where they have one); the page itself has words for those in ``TEXTS``.
PLATFORM_LANGUAGES = ("sv", "en", "ar")

CALENDAR_NAMES = {
    "sv": "Öppna Malmö – programmet",
    "en": "Öppna Malmö – the programme",
    "ar": "Öppna Malmö – البرنامج",
}

TEXTS = {
    "sv": {
        "knowledge": "Kunskapsbanken",
        "knowledge_intro": "Vad initiativen i Öppna Malmö åstadkom, vad som fungerade och inte, och metoder och material att använda själv.",
        "search": "Sök",
        "search_hint": "Ord i rapporterna, t.ex. samtal eller föreningar.",
        "target_group": "Målgrupp",
        "organizer_kind": "Arrangör",
        "partner": "Samarbetspartner",
        "edition": "Forumperiod",
        "no_reports": "Inga rapporter matchar.",
        "reports_found": "Rapporter",
        "what_happened": "Vad som hände",
        "worked": "Det här fungerade",
        "did_not_work": "Det här fungerade inte",
        "participants": "Deltagare (arrangörens räkning)",
        "partners": "Samarbetspartner",
        "materials": "Metoder och material",
        "reached": "Nådde",
        "sessions": "Programpunkter",
        "published": "Publicerad",
        "back_to_bank": "Tillbaka till kunskapsbanken",
        "kind_administration": "Förvaltning",
        "kind_civil_society": "Civilsamhälle",
        "kind_political": "Politisk organisation",
        "kind_international": "Internationell aktör",
        "kind_other": "Annan",
        "shown_in_swedish": "Texten finns bara på svenska.",
        "programme": "Programmet",
        "skip": "Hoppa till innehållet",
        "language_nav": "Språk",
        "filters": "Filtrera programmet",
        "date": "Datum",
        "theme": "Tema",
        "district": "Stadsdel",
        "language": "Språk",
        "accessibility": "Tillgänglighet",
        "free_seats": "Bara med lediga platser",
        "any": "Alla",
        "apply": "Visa",
        "none": "Inga programpunkter matchar.",
        "when": "När",
        "where": "Var",
        "online": "Digitalt",
        "languages": "Språk",
        "seats": "Lediga platser",
        "no_registration": "Ingen anmälan behövs",
        "full": "Fullt – du kan ställa dig i kö",
        "cancelled": "Inställt",
        "rescheduled": "Flyttat",
        "organizer": "Arrangör",
        "register": "Anmälan",
        "register_button": "Anmäl mig",
        "name": "Namn",
        "email": "E-post",
        "phone": "Mobilnummer",
        "contact_hint": "Ange e-post eller mobilnummer, så att vi kan nå dig om något ändras.",
        "party_size": "Antal personer",
        "message_language": "Språk för meddelanden",
        "confirmed": "Du är anmäld",
        "waitlisted": "Du står i kö",
        "position": "Plats i kön",
        "code": "Din anmälningskod (visa den vid entrén)",
        "manage": "Se eller avboka din anmälan",
        "manage_hint": "Spara länken – den är privat.",
        "your_registration": "Din anmälan",
        "status": "Status",
        "cancel_button": "Avboka",
        "erase_button": "Radera mina kontaktuppgifter",
        "cancelled_registration": "Avbokad",
        "errors": "Rätta följande",
        "back": "Tillbaka till programmet",
        "calendar": "Lägg till i kalendern (iCalendar)",
        "erased": "Dina kontaktuppgifter är raderade.",
        "themes": "Teman",
        "target_groups": "För vem",
        "about": "Om programpunkten",
    },
    "en": {
        "knowledge": "The knowledge bank",
        "knowledge_intro": "What the initiatives of Öppna Malmö achieved, what worked and what did not, and methods and materials to use yourself.",
        "search": "Search",
        "search_hint": "Words in the reports, e.g. talks or associations.",
        "target_group": "Target group",
        "organizer_kind": "Organiser",
        "partner": "Partner",
        "edition": "Edition",
        "no_reports": "No reports match.",
        "reports_found": "Reports",
        "what_happened": "What happened",
        "worked": "What worked",
        "did_not_work": "What did not work",
        "participants": "Participants (the organiser's count)",
        "partners": "Partners",
        "materials": "Methods and materials",
        "reached": "Reached",
        "sessions": "Sessions",
        "published": "Published",
        "back_to_bank": "Back to the knowledge bank",
        "kind_administration": "City administration",
        "kind_civil_society": "Civil society",
        "kind_political": "Political organisation",
        "kind_international": "International actor",
        "kind_other": "Other",
        "shown_in_swedish": "This text is in Swedish only.",
        "programme": "The programme",
        "skip": "Skip to content",
        "language_nav": "Language",
        "filters": "Filter the programme",
        "date": "Date",
        "theme": "Theme",
        "district": "District",
        "language": "Language",
        "accessibility": "Accessibility",
        "free_seats": "Only with free seats",
        "any": "Any",
        "apply": "Show",
        "none": "No sessions match.",
        "when": "When",
        "where": "Where",
        "online": "Online",
        "languages": "Languages",
        "seats": "Free seats",
        "no_registration": "No registration needed",
        "full": "Full – you can join the waiting list",
        "cancelled": "Cancelled",
        "rescheduled": "Moved",
        "organizer": "Organiser",
        "register": "Registration",
        "register_button": "Register me",
        "name": "Name",
        "email": "Email",
        "phone": "Mobile number",
        "contact_hint": "Give an email address or a mobile number, so we can reach you if anything changes.",
        "party_size": "Number of people",
        "message_language": "Language for messages",
        "confirmed": "You are registered",
        "waitlisted": "You are on the waiting list",
        "position": "Place in the queue",
        "code": "Your registration code (show it at the door)",
        "manage": "See or cancel your registration",
        "manage_hint": "Keep this link – it is private.",
        "your_registration": "Your registration",
        "status": "Status",
        "cancel_button": "Cancel my registration",
        "erase_button": "Erase my contact details",
        "cancelled_registration": "Cancelled",
        "errors": "Please correct the following",
        "back": "Back to the programme",
        "calendar": "Add to calendar (iCalendar)",
        "erased": "Your contact details are erased.",
        "themes": "Themes",
        "target_groups": "For whom",
        "about": "About the session",
    },
}


def page_language(lang: str | None) -> str:
    """The language a page is shown in: the one asked if the page has its words, else Swedish."""
    return lang if lang in TEXTS else "sv"


def texts(lang: str) -> tuple[str, dict]:
    lang = page_language(lang)
    return lang, TEXTS[lang]


def day(at: datetime, lang: str) -> str:
    """``at``'s date in words, as the page's language writes it ("6 oktober 2025", "6 October 2025")."""
    return format_date(at, "d MMMM y", locale=page_language(lang))
