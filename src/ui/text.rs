//! Every word the panel says, in English and German. Content (articles,
//! flows) brings its own language; these are the panel's own words.

use crate::core::widget::Language;

/// The panel's words in one language.
pub struct Text {
    /// Which language these words are in.
    pub language: Language,
    pub close: &'static str,
    pub search_label: &'static str,
    pub search_placeholder: &'static str,
    pub loading: &'static str,
    pub saved_copy: &'static str,
    pub content_failed: &'static str,
    pub guided_fixes: &'static str,
    pub articles: &'static str,
    pub popular: &'static str,
    pub no_results: &'static str,
    pub contact_support: &'static str,
    pub urgent: &'static str,
    pub outage: &'static str,
    pub billing: &'static str,
    pub feedback: &'static str,
    pub incident_ack: &'static str,
    pub status_page: &'static str,
    pub back: &'static str,
    pub all_help: &'static str,
    pub did_this_answer: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub glad: &'static str,
    pub try_fix: &'static str,
    pub still_stuck: &'static str,
    pub checking: &'static str,
    pub check_pass: &'static str,
    pub check_fail: &'static str,
    pub check_error: &'static str,
    pub fixed_question: &'static str,
    pub fixed_yes: &'static str,
    pub fixed_no: &'static str,
    pub continue_: &'static str,
    pub start_over: &'static str,
    pub resolved: &'static str,
    pub was_helpful: &'static str,
    pub rate_thanks: &'static str,
    pub ticket_intro: &'static str,
    pub unknown_item: &'static str,
    pub form_title: &'static str,
    pub feedback_title: &'static str,
    pub message_label: &'static str,
    pub feedback_label: &'static str,
    pub name_label: &'static str,
    pub email_label: &'static str,
    pub email_optional: &'static str,
    pub preview: &'static str,
    pub remove: &'static str,
    pub send: &'static str,
    pub required: &'static str,
    pub no_secure_id: &'static str,
    pub send_again: &'static str,
    pub sending: &'static str,
    pub crashed: &'static str,
}

pub static EN: Text = Text {
    language: Language::English,
    close: "Close help",
    search_label: "What do you need help with?",
    search_placeholder: "Describe the problem",
    loading: "Loading help…",
    saved_copy: "You are offline: this is the help saved on this device.",
    content_failed: "Help articles could not be loaded. You can still contact us.",
    guided_fixes: "Guided fixes",
    articles: "Articles",
    popular: "Popular",
    no_results: "Nothing matches that yet. Try other words, or tell us about it.",
    contact_support: "Contact support",
    urgent: "Urgent",
    outage: "Something is down",
    billing: "Billing or payment",
    feedback: "Share feedback or an idea",
    incident_ack: "We know, and we are on it. You can still write to us below.",
    status_page: "Status page",
    back: "Back",
    all_help: "All help",
    did_this_answer: "Did this answer your question?",
    yes: "Yes",
    no: "No",
    glad: "Thanks! Glad it helped.",
    try_fix: "Sorry about that. This guided fix checks your setup step by step:",
    still_stuck: "Still stuck?",
    checking: "Checking…",
    check_pass: "Check passed",
    check_fail: "Check failed",
    check_error: "Could not check",
    fixed_question: "Did this fix it?",
    fixed_yes: "Yes, it works now",
    fixed_no: "No, still stuck",
    continue_: "Continue",
    start_over: "Start over",
    resolved: "Great, that solved it.",
    was_helpful: "Was this helpful?",
    rate_thanks: "Thanks for telling us.",
    ticket_intro:
        "Let a person take it from here. We'll send what you tried, so you won't have to repeat it.",
    unknown_item: "This help item is not available any more.",
    form_title: "Still stuck? Contact support",
    feedback_title: "Share feedback or an idea",
    message_label: "What happened?",
    feedback_label: "Your feedback",
    name_label: "Your name (optional)",
    email_label: "Your email, so we can answer",
    email_optional: "Your email (optional)",
    preview: "What we'll send with your message",
    remove: "Remove",
    send: "Send",
    required: "please fill this in",
    no_secure_id: "This browser cannot create a secure ticket id.",
    send_again: "Send again",
    sending: "Sending your ticket…",
    crashed: "Help is unavailable right now. Please reload the page.",
};

pub static DE: Text = Text {
    language: Language::German,
    close: "Hilfe schließen",
    search_label: "Wobei brauchen Sie Hilfe?",
    search_placeholder: "Beschreiben Sie das Problem",
    loading: "Hilfe wird geladen…",
    saved_copy: "Sie sind offline: Das ist die auf diesem Gerät gespeicherte Hilfe.",
    content_failed:
        "Die Hilfeartikel konnten nicht geladen werden. Sie können uns trotzdem schreiben.",
    guided_fixes: "Geführte Lösungen",
    articles: "Artikel",
    popular: "Häufig gesucht",
    no_results: "Dazu passt noch nichts. Versuchen Sie andere Wörter oder schreiben Sie uns.",
    contact_support: "Support kontaktieren",
    urgent: "Dringend",
    outage: "Etwas ist ausgefallen",
    billing: "Rechnung oder Zahlung",
    feedback: "Feedback oder Idee teilen",
    incident_ack: "Wir wissen davon und arbeiten daran. Sie können uns unten trotzdem schreiben.",
    status_page: "Statusseite",
    back: "Zurück",
    all_help: "Alle Hilfe",
    did_this_answer: "Hat das Ihre Frage beantwortet?",
    yes: "Ja",
    no: "Nein",
    glad: "Danke! Schön, dass es geholfen hat.",
    try_fix: "Das tut uns leid. Diese geführte Lösung prüft Ihre Einrichtung Schritt für Schritt:",
    still_stuck: "Immer noch nicht gelöst?",
    checking: "Wird geprüft…",
    check_pass: "Prüfung bestanden",
    check_fail: "Prüfung fehlgeschlagen",
    check_error: "Prüfung nicht möglich",
    fixed_question: "Hat das geholfen?",
    fixed_yes: "Ja, jetzt geht es",
    fixed_no: "Nein, noch nicht",
    continue_: "Weiter",
    start_over: "Von vorn",
    resolved: "Prima, damit ist es gelöst.",
    was_helpful: "War das hilfreich?",
    rate_thanks: "Danke für Ihre Rückmeldung.",
    ticket_intro:
        "Ab hier hilft Ihnen ein Mensch weiter. Wir senden mit, was Sie schon versucht haben.",
    unknown_item: "Dieser Hilfeeintrag ist nicht mehr verfügbar.",
    form_title: "Immer noch nicht gelöst? Support kontaktieren",
    feedback_title: "Feedback oder Idee teilen",
    message_label: "Was ist passiert?",
    feedback_label: "Ihr Feedback",
    name_label: "Ihr Name (optional)",
    email_label: "Ihre E-Mail, damit wir antworten können",
    email_optional: "Ihre E-Mail (optional)",
    preview: "Was wir mit Ihrer Nachricht senden",
    remove: "Entfernen",
    send: "Senden",
    required: "bitte ausfüllen",
    no_secure_id: "Dieser Browser kann keine sichere Ticket-ID erzeugen.",
    send_again: "Erneut senden",
    sending: "Ihr Ticket wird gesendet…",
    crashed: "Die Hilfe ist gerade nicht verfügbar. Bitte laden Sie die Seite neu.",
};

impl Text {
    /// The words for `language`.
    pub fn of(language: Language) -> &'static Text {
        match language {
            Language::English => &EN,
            Language::German => &DE,
        }
    }

    /// What the live region announces for a result list.
    pub fn count(&self, flows: usize, articles: usize) -> String {
        if self.language == Language::German {
            let f = if flows == 1 {
                "geführte Lösung"
            } else {
                "geführte Lösungen"
            };
            format!("{flows} {f} und {articles} Artikel")
        } else {
            let f = if flows == 1 {
                "guided fix"
            } else {
                "guided fixes"
            };
            let a = if articles == 1 { "article" } else { "articles" };
            format!("{flows} {f} and {articles} {a}")
        }
    }

    /// "Step 3" / "Schritt 3".
    pub fn step(&self, n: usize) -> String {
        let word = if self.language == Language::German {
            "Schritt"
        } else {
            "Step"
        };
        format!("{word} {n}")
    }

    /// The offer to also send the page's errors.
    pub fn page_errors(&self, n: usize) -> String {
        if self.language == Language::German {
            format!("Auch die {n} Fehler senden, die diese Seite gemeldet hat")
        } else {
            let s = if n == 1 { "error" } else { "errors" };
            format!("Also send the {n} {s} this page reported")
        }
    }

    /// A ticket's status line.
    pub fn ticket_queued(&self, why: &str) -> String {
        if self.language == Language::German {
            format!("Ihr Ticket ist gespeichert und wird automatisch gesendet, sobald der Support erreichbar ist ({why}).")
        } else {
            format!("Your ticket is saved and will be sent automatically when support can be reached ({why}).")
        }
    }

    pub fn ticket_sent(&self, reference: &str) -> String {
        if self.language == Language::German {
            format!("Ticket gesendet. Ihre Referenz ist {reference}.")
        } else {
            format!("Ticket sent. Your reference is {reference}.")
        }
    }

    pub fn ticket_failed(&self, why: &str) -> String {
        if self.language == Language::German {
            format!("Ihr Ticket wurde nicht gesendet: {why}")
        } else {
            format!("Your ticket was not sent: {why}")
        }
    }

    pub fn not_saved(&self, why: &str) -> String {
        if self.language == Language::German {
            format!("Ihr Ticket konnte in diesem Browser nicht gespeichert werden ({why}) und wurde nicht gesendet. Ihr Text ist noch da.")
        } else {
            format!("Your ticket could not be saved in this browser ({why}), so it was not sent. Your text is still here.")
        }
    }
}
