"""The upstream events benachrichtigung's tests publish, with the payloads prozess and austausch send."""

import uuid
from datetime import date, timedelta


def stage_overdue(municipality_id: str, name: str, stage: str, due_date: str) -> dict[str, object]:
    """prozess's `stage.overdue`, announced at six the morning after the due date."""
    announced = date.fromisoformat(due_date) + timedelta(days=1)
    return {
        "municipality_id": municipality_id,
        "municipality_name": name,
        "programme": "ZWK",
        "stage": stage,
        "status": "IN_PROGRESS",
        "due_date": due_date,
        "at": f"{announced.isoformat()}T06:00:00+00:00",
        "actor": None,
        "reason": None,
    }


def comment_added(
    practice_id: str,
    practice_municipality_id: str,
    body_excerpt: str,
    *,
    author_subject: str = "dortmund-staff",
    author_name: str = "Dortmund",
) -> dict[str, object]:
    """austausch's `comment.added` on the Nachbarschaftsbörse, written by `riesa-author`."""
    return {
        "comment_id": str(uuid.uuid4()),
        "practice_id": practice_id,
        "practice_title": "Nachbarschaftsbörse",
        "practice_municipality_id": practice_municipality_id,
        "practice_author_subject": "riesa-author",
        "parent_comment_id": None,
        "author_subject": author_subject,
        "author_name": author_name,
        "body_excerpt": body_excerpt,
    }
