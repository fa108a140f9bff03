"""E-mails from templates: German text and HTML, with a List-Unsubscribe header and link."""

from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from html import escape
from importlib.resources import files
from string import Template
from typing import Any

from benachrichtigung.config import Settings
from benachrichtigung.notifications.unsubscribe import unsubscribe_url
from benachrichtigung.rules import KINDS
from benachrichtigung.texts import digest_line

_TEMPLATES = files("benachrichtigung.delivery") / "templates"
FREQUENCY_LABELS = {"daily": "tägliche", "weekly": "wöchentliche"}


def _template(name: str) -> Template:
    return Template((_TEMPLATES / name).read_text(encoding="utf-8"))


def _absolute(settings: Settings, path: str | None) -> str:
    return settings.app_url.rstrip("/") + (path or "/")


def _message(
    settings: Settings, *, to: tuple[str | None, str], subject: str, text: str, html: str, unsubscribe: str
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_sender
    message["To"] = formataddr(to)
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=settings.mail_sender.rsplit("@", 1)[-1].strip("> "))
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def _common(settings: Settings, name: str | None, unsubscribe: str) -> dict[str, str]:
    return {
        "greeting_name": f" {name}" if name else "",
        "unsubscribe_url": unsubscribe,
        "settings_url": _absolute(settings, "/einstellungen/benachrichtigungen"),
        "inbox_url": _absolute(settings, "/posteingang"),
    }


def notification_email(
    settings: Settings, *, recipient_id: str, address: str, name: str | None, notification: dict[str, Any]
) -> EmailMessage:
    """The e-mail of one notification."""
    kind = notification["kind"]
    unsubscribe = unsubscribe_url(settings, recipient_id, [kind])
    words = {
        **_common(settings, name, unsubscribe),
        "title": notification["title"],
        "body": notification["body"],
        "link": _absolute(settings, notification["link"]),
        "kind_label": KINDS[kind].label if kind in KINDS else kind,
    }
    return _message(
        settings,
        to=(name, address),
        subject=notification["title"],
        text=_template("notification.txt").substitute(words),
        html=_template("notification.html").substitute({k: escape(v) for k, v in words.items()}),
        unsubscribe=unsubscribe,
    )


def digest_lines(content: dict[str, Any]) -> list[tuple[str, str]]:
    """A digest's lines as (text, absolute-or-relative link), most recent first."""
    return [
        (digest_line(line["kind"], int(line["count"]), line["item_title"] or ""), line.get("link") or "/")
        for line in content["lines"]
    ]


def digest_email(
    settings: Settings,
    *,
    recipient_id: str,
    address: str,
    name: str | None,
    frequency: str,
    content: dict[str, Any],
) -> EmailMessage:
    """The daily or weekly digest: repeated events on one item grouped into one line."""
    kinds = sorted({line["kind"] for line in content["lines"]})
    unsubscribe = unsubscribe_url(settings, recipient_id, kinds)
    lines = digest_lines(content)
    count = int(content["count"])
    label = FREQUENCY_LABELS.get(frequency, "regelmäßige")
    subject = f"Ihre {label} Zusammenfassung: {count} {'Neuigkeit' if count == 1 else 'Neuigkeiten'}"
    common = _common(settings, name, unsubscribe)
    intro = "Das ist seit der letzten Zusammenfassung geschehen:"
    text = _template("digest.txt").substitute(
        {
            **common,
            "intro": intro,
            "frequency_label": label,
            "lines": "\n".join(f"• {line} – {_absolute(settings, link)}" for line, link in lines),
        }
    )
    html = _template("digest.html").substitute(
        {
            **{k: escape(v) for k, v in common.items()},
            "subject": escape(subject),
            "intro": escape(intro),
            "frequency_label": escape(label),
            "lines": "\n".join(
                f'<li><a href="{escape(_absolute(settings, link))}">{escape(line)}</a></li>' for line, link in lines
            ),
        }
    )
    return _message(settings, to=(name, address), subject=subject, text=text, html=html, unsubscribe=unsubscribe)
