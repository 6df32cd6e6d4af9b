"""Open data API (公开数据): published challenges and their public outcome, paged. No login."""

from __future__ import annotations

from fastapi import APIRouter

from marketplace.clock import to_shanghai, utcnow
from marketplace.contracts import progress
from marketplace.contracts.schemas import ConsentIn, ConsentOut, ProjectMilestoneOut, ProjectOut
from marketplace.reports import opendata
from marketplace.reports.schemas import OpenDataOut
from marketplace.web.deps import CurrentActor, SessionDep

router = APIRouter(tags=["open-data"])


@router.get("/open-data/projects", response_model=OpenDataOut)
def open_data_projects(session: SessionDep, page: str = "1", page_size: str = "50") -> OpenDataOut:
    """Published challenges (OCDS-style records; amounts in 元 as decimal strings, currency CNY)."""
    p, size = opendata.parse_paging(page, page_size)
    result = opendata.projects(session, page=p, page_size=size)
    return OpenDataOut(items=result.items, page=result.page, page_size=result.page_size, total=result.total,
                       updated_at=result.updated_at, licence=opendata.LICENCE, publisher=opendata.PUBLISHER,
                       schema_url="/open-data#schema")


@router.get("/projects/{contract_id}", response_model=ProjectOut)
def project(contract_id: int, session: SessionDep) -> ProjectOut:
    """A contracted project's public progress (404 unless the company and the lead team both agreed)."""
    p = progress.public_progress(session=session, contract_id=contract_id, today=to_shanghai(utcnow()).date())
    return ProjectOut(contract_id=p.contract_id, challenge_id=p.challenge_id, title=p.title, company=p.company,
                      team=p.team, start_on=p.start_on, end_on=p.end_on, status=p.status, milestones_done=p.done,
                      milestones_due=p.due, weighted_progress_percent=p.weighted_percent,
                      milestones=[ProjectMilestoneOut(**vars(m)) for m in p.milestones])


@router.post("/contracts/{contract_id}/progress-consent", response_model=ConsentOut)
def progress_consent(contract_id: int, data: ConsentIn, session: SessionDep, actor: CurrentActor) -> ConsentOut:
    """The company or the lead team agrees to (or withdraws from) publishing the project's progress;
    409 when that side already agreed (or, withdrawing, had not)."""
    agreed = progress.set_consent(session=session, actor=actor, contract_id=contract_id, agree=data.agree)
    return ConsentOut(contract_id=contract_id, agreed=agreed, published=set(progress.SIDES) <= set(agreed))
