"""Administration: the district's staff accounts (create, role, deactivate, reset a password) and
the mobile citizens database (MCDB) import with its line report. Only a role that may manage
staff sees this page; the server refuses every form to any other.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from casework.law.errors import NotFound, RuleError
from casework.law.roles import Action, Role
from casework.steps import imports, signin
from casework.steps import staff as accounts
from casework.system.env import CaseEnv
from casework.tables.staff import Staff
from casework.texts.i18n import N_
from gateway.console.errors import explain
from gateway.console.holidays import bad_lines, moment
from gateway.console.web import Console, ConsoleDep, FormDep, see_other
from gateway.staff.deps import EnvDep, SessionDep

router = APIRouter()

ROLE_NAMES: dict[Role, str] = {
    Role.INTAKE_OFFICE: N_("Intake specialist at the department"),
    Role.INTAKE_AKIM: N_("Intake specialist at the rural akim's office"),
    Role.INTAKE_STATE_CORPORATION: N_("Intake specialist at the State Corporation"),
    Role.COMMISSION_SECRETARY: N_("Commission secretary"),
    Role.DECISION_MAKER: N_("Official who decides"),
    Role.ADMINISTRATOR: N_("Administrator"),
    Role.ACCOUNTANT: N_("Accountant"),
}

# What a member page says after a form, by the `done` query parameter.
DONE = {
    "created": N_("The account is created. The member can sign in with the password you set."),
    "role": N_("The role is changed. It applies from the member's next page."),
    "password": N_(
        "The password is set and every session of the member is ended. Tell them the new "
        "password in person."
    ),
    "deactivated": N_("The account is deactivated: the member is signed out and cannot sign in."),
    "reactivated": N_(
        "The account is active again. Sessions and the API token from before stay ended."
    ),
}


def role_name(role: Role, console: Console) -> str:
    return console.t(ROLE_NAMES[role])


def _roles(console: Console) -> list[dict[str, str]]:
    return [{"value": r.value, "name": role_name(r, console)} for r in Role]


def _member(member: Staff, console: Console, env: CaseEnv) -> dict[str, object]:
    locked = member.locked_until is not None and member.locked_until > env.now()
    return {
        "id": member.id,
        "name": member.name,
        "role": member.role.value,
        "role_name": role_name(member.role, console),
        "active": member.active,
        "has_password": member.password_hash is not None,
        "locked_until": moment(member.locked_until, console, env) if locked else "",
        "created": moment(member.created_at, console, env),
        "me": member.id == console.staff.id,
    }


async def _admin_page(
    console: Console,
    session: AsyncSession,
    env: CaseEnv,
    status_code: int = 200,
    *,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    members = [_member(m, console, env) for m in await accounts.all_staff(session)]
    return console.page(
        "admin.html",
        status_code,
        members=members,
        roles=_roles(console),
        error=error,
        form=form or {},
        minimum=signin.MIN_PASSWORD,
    )


@router.get("/admin", response_class=HTMLResponse)
async def admin(console: ConsoleDep, session: SessionDep, env: EnvDep) -> Response:
    console.require(Action.MANAGE_STAFF)
    return await _admin_page(console, session, env)


def _password_problem(console: Console, password: str, repeat: str) -> str | None:
    if password != repeat:
        return console.t("The two new passwords differ. Type the same password twice.")
    try:
        signin.hash_password(password)  # the strength rule, before anything is saved
    except signin.WeakPassword as exc:
        return console.t(
            "The new password is too short: at least {minimum} characters.", **exc.params
        )
    return None


@router.post("/admin/staff", response_class=HTMLResponse)
async def create(
    console: FormDep,
    session: SessionDep,
    env: EnvDep,
    name: Annotated[str, Form(max_length=1000)] = "",
    role: Annotated[str, Form(max_length=50)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    repeat: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    console.require(Action.MANAGE_STAFF)
    name = " ".join(name.split())
    form = {"name": name, "role": role}
    error = None
    if not name:
        error = console.t(N_("Write the member's name as it appears on receipts."))
    elif len(name) > 200:
        error = console.t(N_("The name is too long: at most {limit} characters."), limit=200)
    elif role not in {r.value for r in Role}:
        error = console.t(N_("Choose the member's role."))
    else:
        error = _password_problem(console, password, repeat)
    if error is None:
        try:
            member, _token = await accounts.add_staff(
                session, name=name, role=Role(role), now=env.now()
            )
        except accounts.StaffExists:
            error = console.t(
                N_(
                    "A staff member named {name} already exists. Add something to tell them "
                    "apart (for example, the patronymic)."
                ),
                name=name,
            )
        else:
            await signin.set_password(session, member, password)
            return see_other(f"/console/admin/staff/{member.id}?done=created")
    return await _admin_page(console, session, env, 422, error=error, form=form)


async def _member_page(
    console: Console,
    session: AsyncSession,
    env: CaseEnv,
    staff_id: int,
    status_code: int = 200,
    *,
    error: str | None = None,
    done: str = "",
) -> Response:
    try:
        member = await accounts.get_staff(session, staff_id)
    except NotFound:
        return console.page("error.html", 404, message=N_("There is no such staff member."))
    return console.page(
        "staff_member.html",
        status_code,
        member=_member(member, console, env),
        roles=_roles(console),
        error=error,
        done=console.t(DONE[done]) if done in DONE else None,
        minimum=signin.MIN_PASSWORD,
    )


@router.get("/admin/staff/{staff_id}", response_class=HTMLResponse)
async def member_page(
    console: ConsoleDep, session: SessionDep, env: EnvDep, staff_id: int, done: str = ""
) -> Response:
    console.require(Action.MANAGE_STAFF)
    return await _member_page(console, session, env, staff_id, done=done)


def _back(staff_id: int, done: str) -> Response:
    return see_other(f"/console/admin/staff/{staff_id}?done={done}")


_NOT_YOURSELF = N_(
    "You cannot do this to your own account: another administrator must, so that the district "
    "always keeps one."
)


@router.post("/admin/staff/{staff_id}/role", response_class=HTMLResponse)
async def change_role(
    console: FormDep,
    session: SessionDep,
    env: EnvDep,
    staff_id: int,
    role: Annotated[str, Form(max_length=50)] = "",
) -> Response:
    console.require(Action.MANAGE_STAFF)
    if staff_id == console.staff.id:
        return await _member_page(
            console, session, env, staff_id, 422, error=console.t(_NOT_YOURSELF)
        )
    if role not in {r.value for r in Role}:
        error = console.t(N_("Choose the member's role."))
        return await _member_page(console, session, env, staff_id, 422, error=error)
    try:
        await accounts.change_role(session, staff_id, Role(role))
    except NotFound:
        return console.page("error.html", 404, message=N_("There is no such staff member."))
    return _back(staff_id, "role")


@router.post("/admin/staff/{staff_id}/password", response_class=HTMLResponse)
async def reset_password(
    console: FormDep,
    session: SessionDep,
    env: EnvDep,
    staff_id: int,
    password: Annotated[str, Form(max_length=200)] = "",
    repeat: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    console.require(Action.MANAGE_STAFF)
    if staff_id == console.staff.id:
        own = console.t(N_("Change your own password on the Password page."))
        return await _member_page(console, session, env, staff_id, 422, error=own)
    problem = _password_problem(console, password, repeat)
    if problem is not None:
        return await _member_page(console, session, env, staff_id, 422, error=problem)
    try:
        member = await accounts.get_staff(session, staff_id)
    except NotFound:
        return console.page("error.html", 404, message=N_("There is no such staff member."))
    await signin.set_password(session, member, password)  # ends their sessions, lifts a lockout
    return _back(staff_id, "password")


@router.post("/admin/staff/{staff_id}/deactivate", response_class=HTMLResponse)
async def deactivate(console: FormDep, session: SessionDep, env: EnvDep, staff_id: int) -> Response:
    console.require(Action.MANAGE_STAFF)
    if staff_id == console.staff.id:
        return await _member_page(
            console, session, env, staff_id, 422, error=console.t(_NOT_YOURSELF)
        )
    try:
        await accounts.deactivate(session, staff_id)
    except NotFound:
        return console.page("error.html", 404, message=N_("There is no such staff member."))
    return _back(staff_id, "deactivated")


@router.post("/admin/staff/{staff_id}/reactivate", response_class=HTMLResponse)
async def reactivate(console: FormDep, session: SessionDep, env: EnvDep, staff_id: int) -> Response:
    console.require(Action.MANAGE_STAFF)
    try:
        await accounts.reactivate(session, staff_id)
    except NotFound:
        return console.page("error.html", 404, message=N_("There is no such staff member."))
    return _back(staff_id, "reactivated")


# ---------------------------------------------------------------- the mobile citizens database


@router.get("/admin/mcdb", response_class=HTMLResponse)
async def mcdb_form(console: ConsoleDep) -> Response:
    console.require(Action.MANAGE_STAFF)
    return console.page("mcdb_import.html", report=None, error=None)


@router.post("/admin/mcdb", response_class=HTMLResponse)
async def mcdb_import(
    console: FormDep,
    session: SessionDep,
    env: EnvDep,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Bad lines are reported by line in words, good lines kept (a known pair is updated)."""
    console.require(Action.MANAGE_STAFF)
    if file is None or not file.filename:
        error = console.t(N_("Choose the file (CSV)."))
        return console.page("mcdb_import.html", 422, report=None, error=error)
    try:
        report = await imports.import_mcdb(session, file.file, now=env.now())
    except RuleError as exc:
        return console.page(
            "mcdb_import.html", 422, report=None, error=explain(exc, console.locale)
        )
    return console.page(
        "mcdb_import.html",
        report={
            "file_name": file.filename,
            "added": report.added,
            "updated": report.updated,
            "errors": bad_lines(report.errors, console.locale),
        },
        error=None,
    )
