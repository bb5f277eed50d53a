"""Swedish and English labels of areas, dimensions, measures and reporting's own categories.

Vocabulary categories (themes, districts, target groups, languages) are not labelled here: the
registry owns them and reporting follows its vocabulary events (``shared/vocabularies.py``), so
a term the curators add or relabel is named as the registry names it (``VOCABULARY_OF``: the
vocabulary of each such dimension; ``exports.category_label``). A category no one labels is
shown by its code, made readable.
"""

LANGS = ("sv", "en")

AREAS = {
    "initiatives": {"sv": "Initiativ", "en": "Initiatives"},
    "participation": {"sv": "Aktiviteter och deltagande", "en": "Sessions and participation"},
    "reach": {"sv": "Räckvidd (utskick)", "en": "Reach (notifications)"},
    "money": {"sv": "Budget", "en": "Money"},
    "follow_up": {"sv": "Uppföljning", "en": "Follow-up"},
}

DIMENSIONS = {
    "organizer_kind": {"sv": "Typ av arrangör", "en": "Organizer kind"},
    "administration": {"sv": "Förvaltning", "en": "Administration"},
    "organizer": {"sv": "Arrangör", "en": "Organizer"},
    "theme": {"sv": "Tema", "en": "Theme"},
    "target_group": {"sv": "Målgrupp", "en": "Target group"},
    "district": {"sv": "Område", "en": "District"},
    "language": {"sv": "Språk", "en": "Language"},
    "origin": {"sv": "Ursprung", "en": "Origin"},
    "channel": {"sv": "Kanal", "en": "Channel"},
    "category": {"sv": "Typ av utskick", "en": "Message category"},
    "measure": {"sv": "Mått", "en": "Measure"},
    "edition": {"sv": "Forumperiod", "en": "Edition"},
}

MEASURES = {
    "submitted": {"sv": "Inlämnade", "en": "Submitted"},
    "approved": {"sv": "Godkända", "en": "Approved"},
    "rejected": {"sv": "Avslagna", "en": "Rejected"},
    "withdrawn": {"sv": "Återkallade", "en": "Withdrawn"},
    "in_progress": {"sv": "Under handläggning", "en": "In progress"},
    "reviewed": {"sv": "Granskade", "en": "Reviewed"},
    "review_lead_time_days": {"sv": "Handläggningstid, median (dagar)", "en": "Review lead time, median (days)"},
    "sessions": {"sv": "Aktiviteter", "en": "Sessions"},
    "cancelled_sessions": {"sv": "Inställda aktiviteter", "en": "Cancelled sessions"},
    "seats_offered": {"sv": "Erbjudna platser", "en": "Seats offered"},
    "registrations": {"sv": "Anmälningar", "en": "Registrations"},
    "participants": {"sv": "Anmälda deltagare", "en": "Registered participants"},
    "waitlisted": {"sv": "På väntelista", "en": "Waiting list"},
    "attendance_base": {"sv": "Anmälda där närvaro togs", "en": "Registered where attendance was taken"},
    "attended": {"sv": "Närvarande", "en": "Attended"},
    "fill_rate": {"sv": "Beläggningsgrad", "en": "Fill rate"},
    "no_show_rate": {"sv": "Andel uteblivna", "en": "No-show rate"},
    # What is known of a message, no more: a mail server accepts an email but never says it arrived.
    "sent": {"sv": "Överlämnade (till e-postserver eller SMS-tjänst)", "en": "Handed over (to the mail server or SMS gateway)",
             "ar": "سُلِّمت إلى خادم البريد أو بوابة الرسائل القصيرة"},
    "delivered": {"sv": "Levererade (enligt leveranskvitto)", "en": "Delivered (by delivery receipt)",
                  "ar": "وصلت (حسب إشعار الاستلام)"},
    "bounced": {"sv": "Studsade (i retur efter överlämning)", "en": "Bounced (returned after hand-over)",
                "ar": "ارتدّت (أُعيدت بعد التسليم)"},
    "failed": {"sv": "Misslyckade (ej överlämnade)", "en": "Failed (not handed over)", "ar": "فشلت (لم تُسلَّم)"},
    "expired": {"sv": "Ej skickade (för sent)", "en": "Expired (too late)", "ar": "لم تُرسل (فات الأوان)"},
    "initiatives": {"sv": "Godkända initiativ", "en": "Approved initiatives"},
    "requested_sek": {"sv": "Sökt belopp (kr)", "en": "Budget requested (SEK)"},
    "own_funding_sek": {"sv": "Egen finansiering (kr)", "en": "Own funding (SEK)"},
    "budget_sek": {"sv": "Periodens budget (kr)", "en": "Edition budget (SEK)"},
    "share_of_budget": {"sv": "Andel av budgeten", "en": "Share of the budget"},
    # the follow-up (initiatives of an edition that were granted money, reported or got feedback)
    "in_follow_up": {"sv": "Initiativ i uppföljningen", "en": "Initiatives followed up"},
    "participants_reported": {"sv": "Deltagare enligt återrapport", "en": "Participants, as reported"},
    "granted": {"sv": "Initiativ som beviljats medel", "en": "Initiatives granted money"},
    "granted_sek": {"sv": "Beviljat belopp (kr)", "en": "Granted (SEK)"},
    "reported": {"sv": "Initiativ som lämnat återrapport", "en": "Initiatives that reported"},
    "spent_sek": {"sv": "Förbrukat enligt återrapport (kr)", "en": "Spent, as reported (SEK)"},
    "share_reported": {"sv": "Andel av beviljade som återrapporterat", "en": "Share of granted initiatives that reported"},
    "participants_per_ksek": {"sv": "Deltagare per 1 000 kr beviljat", "en": "Participants per SEK 1,000 granted"},
    "joint": {"sv": "Samverkansinitiativ (partner av annan typ)", "en": "Joint initiatives (a partner of another kind)"},
    "answers": {"sv": "Svar på enkäten", "en": "Feedback answers"},
    "mean_score": {"sv": "Medelbetyg (1–5)", "en": "Mean score (1–5)"},
    "would_come_again": {"sv": "Skulle komma igen", "en": "Would come again"},
    "share_again": {"sv": "Andel som skulle komma igen", "en": "Share who would come again"},
    "answers_per_session": {"sv": "Svar per aktivitet", "en": "Answers per session"},
    "comments_released": {"sv": "Frisläppta kommentarer", "en": "Comments released"},
    "remaining_sek": {"sv": "Kvar av budgeten (kr)", "en": "Remaining of the budget (SEK)"},
    "share_granted": {"sv": "Andel av budgeten beviljad", "en": "Share of the budget granted"},
    "share_spent": {"sv": "Andel av beviljat som förbrukats", "en": "Share of the grants spent"},
}

# Dimensions whose categories are codes of one of the registry's vocabularies.
VOCABULARY_OF = {"theme": "themes", "district": "districts", "target_group": "target_groups", "language": "languages"}

CATEGORIES = {
    "_total": {"sv": "Totalt", "en": "Total"},
    "_unknown": {"sv": "Uppgift saknas", "en": "Not stated"},
    "_not_administration": {"sv": "Ej förvaltning", "en": "Not an administration"},
    # organizer kinds
    "administration": {"sv": "Förvaltning", "en": "City administration"},
    "civil_society": {"sv": "Civilsamhälle", "en": "Civil society"},
    "political": {"sv": "Politik", "en": "Political body"},
    "international": {"sv": "Internationell aktör", "en": "International actor"},
    "other": {"sv": "Övrigt", "en": "Other"},
    # origin
    "existing": {"sv": "Befintlig verksamhet", "en": "Existing activity"},
    "new": {"sv": "Nytt initiativ", "en": "New initiative"},
    # channels
    "email": {"sv": "E-post", "en": "Email"},
    "sms": {"sv": "SMS", "en": "SMS"},
    # notification categories
    "organizer_decision": {"sv": "Beslut till arrangör", "en": "Decision to organizer"},
    "subscription_confirmation": {"sv": "Bekräftad prenumeration", "en": "Subscription confirmation"},
    "digest": {"sv": "Nyhetsutskick", "en": "Digest"},
    "registration_confirmed": {"sv": "Bekräftad anmälan", "en": "Registration confirmed"},
    "registration_waitlisted": {"sv": "Väntelista", "en": "Waitlisted"},
    "registration_promoted": {"sv": "Fått plats", "en": "Promoted from waiting list"},
    "reminder": {"sv": "Påminnelse", "en": "Reminder"},
    "session_changed": {"sv": "Ändrad aktivitet", "en": "Session changed"},
    "session_cancelled": {"sv": "Inställd aktivitet", "en": "Session cancelled"},
}


def label(table: dict[str, dict[str, str]], key: str, lang: str) -> str:
    entry = table.get(key)
    if entry:
        return entry.get(lang) or entry["sv"]
    text = key.replace("_", " ")
    return text[:1].upper() + text[1:]
