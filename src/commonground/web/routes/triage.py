"""The triage queue for triagers, and the triage action behind its forms.

/{lang}/triage?subject=incident|vulnerability&state=new&assignee=tess   the queue
/{lang}/triage/{subject}/{id}    POST: status, duplicate_of, assignee (CSRF-checked)
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from commonground.auth.principal import Principal
from commonground.registry import triage as workflow
from commonground.registry.case_inputs import TriageIn
from commonground.registry.cases import SUBJECTS
from commonground.store.models_accounts import Account
from commonground.store.models_cases import TRIAGE_STATES
from commonground.web import labels
from commonground.web.case_web import form_values, now, parse, write
from commonground.web.deps import Lang, TemplatesDep
from commonground.web.routes.api import _reject_nul
from commonground.web.security import NO_STORE, require

router = APIRouter(dependencies=[Depends(_reject_nul)])
TriageReader = Annotated[Principal, Depends(require("triager", scope="read"))]
Triager = Annotated[Principal, Depends(require("triager", scope="triage"))]
# The assignee menu's "nobody" entry (no username can be "-": it is not a triager).
UNASSIGN = "-"
Subject = Annotated[str, Path(pattern="^(incident|vulnerability)$")]


def _triagers(request: Request) -> list[str]:
    with request.app.state.store.sessions() as session:
        accounts = session.scalars(
            select(Account).where(Account.disabled_at.is_(None)).order_by(Account.username)
        )
        return [a.username for a in accounts if set(a.roles.split()) & {"triager", "admin"}]


@router.get("/{lang}/triage", include_in_schema=False)
def queue_page(
    request: Request,
    lang: Lang,
    templates: TemplatesDep,
    principal: TriageReader,
    subject: Literal["incident", "vulnerability"] = "incident",
    assignee: str | None = None,
) -> Response:
    states = [s for s in request.query_params.getlist("state") if s in TRIAGE_STATES]
    with request.app.state.store.sessions() as session:
        rows = workflow.queue(
            session,
            principal,
            now(),
            subject_type=subject,
            states=states or None,
            assignee=assignee,
        )
        assignees = {
            a.id: a.username
            for a in session.scalars(
                select(Account).where(Account.id.in_({r.assignee_id for r in rows} - {None}))
            )
        }
    response = templates.render(
        request,
        "triage/queue.html",
        lang,
        {
            "rows": rows,
            "subject": subject,
            "subjects": SUBJECTS,
            "states": TRIAGE_STATES,
            "selected_states": states or ["new", "triaged"],
            "assignee": assignee,
            "assignees": assignees,
            "triagers": _triagers(request),
            "transitions": workflow.TRANSITIONS,
            "section": "triage",
            "labels": labels,
        },
    )
    response.headers.update(NO_STORE)
    return response


@router.post("/{lang}/triage/{subject}/{id}", include_in_schema=False)
async def triage_action(
    request: Request, lang: Lang, subject: Subject, id: str, principal: Triager
) -> Response:
    form = await request.form()
    values = form_values(form, ("status", "duplicate_of", "assignee"))
    if values.get("assignee") == UNASSIGN:
        values["assignee"] = ""
    data = parse(TriageIn, values)
    write(request, lambda s: workflow.triage(s, principal, subject, id, data, now()))
    back = form.get("back")
    if back == "case":
        section = "incidents" if subject == "incident" else "vulnerabilities"
        target = f"/{lang}/{section}/{quote(id, safe=':')}"
    else:
        target = f"/{lang}/triage?subject={subject}"
    return RedirectResponse(target, status_code=303, headers=NO_STORE)
